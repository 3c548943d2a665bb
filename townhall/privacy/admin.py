"""Site administration: each service's retention rule (set through `actions`, so the
change is logged) and a read-only list of export jobs (no archive contents)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import actions
from .models import ExportJob, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["service", "keep_days", "legal_basis"]
    list_select_related = ["service"]
    search_fields = ["service__name", "legal_basis"]
    fields = ["service", "keep_days", "legal_basis"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # set 0 days instead: the change is logged

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["service"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        rule = actions.set_retention_rule(
            by=request.user,
            service=obj.service,
            keep_days=form.cleaned_data["keep_days"],
            legal_basis=form.cleaned_data["legal_basis"],
        )
        obj.pk = rule.pk
        obj._state.adding = False
        obj._state.db = rule._state.db


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["owner", "status", "progress", "created_at", "ready_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["owner"]
    fields = ("owner", "status", "progress", "counts", "size", "created_at", "ready_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
