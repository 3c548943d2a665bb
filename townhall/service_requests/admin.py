"""Site administration for service requests: read-mostly. Requests change only through
the staff inbox (every change is an action with its Activity entry); routing rules and
saved replies are added (and saved replies removed) through `actions` too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from . import actions
from .models import RequestContact, RoutingRule, SavedReply, ServiceRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ["reference", "service", "agency", "status", "assignee", "submitted_at"]
    list_filter = ["status", "is_public", "agency"]
    list_select_related = ["service", "agency", "assignee"]
    search_fields = ["=reference", "description", "address"]
    date_hierarchy = "submitted_at"
    show_full_result_count = False  # counting a million rows for every page is not free
    raw_id_fields = ["requester", "assignee", "team", "thread", "duplicate_of"]


@admin.register(RequestContact)
class RequestContactAdmin(ReadOnlyAdmin):
    """Who filed through an Open311 application without a verified account."""

    list_display = ["request", "email", "first_name", "last_name", "phone", "claimed_at"]
    list_select_related = ["request"]
    search_fields = ["=request__reference", "email"]
    raw_id_fields = ["request", "filed_via", "claimed_by"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["agency", "order", "team", "service", "keywords"]
    list_filter = ["agency"]
    list_select_related = ["agency", "team", "service"]
    fields = [
        "agency",
        "team",
        "order",
        "service",
        "keywords",
        "min_latitude",
        "min_longitude",
        "max_latitude",
        "max_longitude",
    ]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        corners = [data.get(name) for name in ("min_latitude", "min_longitude")]
        corners += [data.get(name) for name in ("max_latitude", "max_longitude")]
        rule = actions.add_routing_rule(
            by=request.user,
            agency=data["agency"],
            team=data["team"],
            service=data.get("service"),
            keywords=data.get("keywords") or (),
            area=corners if all(corner is not None for corner in corners) else None,
            order=data.get("order") or 0,
        )
        obj.pk = rule.pk
        obj._state.adding = False
        obj._state.db = rule._state.db


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    list_display = ["title", "team"]
    list_select_related = ["team", "team__agency"]
    search_fields = ["title", "body"]
    fields = ["team", "title", "body"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: SavedReply, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        saved = actions.create_saved_reply(
            by=request.user, team=data["team"], title=data["title"], body=data["body"]
        )
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: SavedReply) -> None:
        actions.delete_saved_reply(by=request.user, saved_reply=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[SavedReply]) -> None:
        for saved in queryset.select_related("team__agency"):
            actions.delete_saved_reply(by=request.user, saved_reply=saved)
