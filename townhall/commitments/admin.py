"""Site administration for closure days. Adding and removing go through `actions`, so the
admin writes the same Activity entries as every other interface."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from townhall.agencies.models import Agency, StaffMembership, StaffRole

from . import actions
from .models import AgencyClosure, Commitment


def _administered_agencies(user: Any) -> QuerySet[Agency]:
    if user.is_superuser:
        return Agency.objects.all()
    admin_of = StaffMembership.objects.active().filter(user=user, role=StaffRole.ADMIN)
    return Agency.objects.filter(pk__in=admin_of.values("agency_id"))


@admin.register(AgencyClosure)
class AgencyClosureAdmin(admin.ModelAdmin):
    list_display = ["date", "agency", "reason", "created_at"]
    list_filter = ["agency"]
    list_select_related = ["agency"]
    search_fields = ["reason", "agency__name"]
    date_hierarchy = "date"
    fields = ["agency", "date", "reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgencyClosure]:
        agencies = _administered_agencies(request.user)
        return super().get_queryset(request).filter(agency__in=agencies)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency":
            kwargs["queryset"] = _administered_agencies(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A closure is added or removed, never edited: remove it and add the right one.
        return ["agency", "date", "reason"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: AgencyClosure, form: Any, change: bool) -> None:
        if change:
            return
        data = form.cleaned_data
        closure = actions.add_closure(
            by=request.user, agency=data["agency"], date=data["date"], reason=data["reason"]
        )
        obj.pk, obj.created_at = closure.pk, closure.created_at
        obj._state.adding = False
        obj._state.db = closure._state.db

    def delete_model(self, request: HttpRequest, obj: AgencyClosure) -> None:
        actions.remove_closure(by=request.user, closure=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AgencyClosure]) -> None:
        for closure in queryset.select_related("agency"):
            actions.remove_closure(by=request.user, closure=closure)


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    """Read-only: commitments change only through `actions` (made by staff replies and by
    filing, kept, renegotiated, cancelled, broken by the scheduled check)."""

    list_display = ["__str__", "agency", "kind", "state", "due_at", "made_to", "made_by"]
    list_filter = ["state", "kind", "agency"]
    list_select_related = ["agency", "made_to", "made_by"]
    date_hierarchy = "due_at"
    search_fields = ["description", "agency__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
