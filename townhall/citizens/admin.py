"""The access log in the site administration: read only (it is a record of what
happened); shared notes and consents are changed by their people, not here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AccessLogEntry


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "citizen", "persona", "agency", "screen", "reason", "subject")
    list_filter = ("screen", "reason")
    list_select_related = ("citizen", "persona", "agency")
    raw_id_fields = ("citizen", "viewer", "persona")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
