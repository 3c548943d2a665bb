from django.contrib import admin
from django.http import HttpRequest

from .models import Activity, InboundEmail


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only, administrators only look."""

    list_display = ["occurred_at", "verb", "summary", "agency", "visibility"]
    list_filter = ["visibility", "verb"]
    search_fields = ["summary", "verb"]
    date_hierarchy = "occurred_at"
    list_select_related = ["agency"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    """Read-only log of replies by email: what was posted, what was refused and why."""

    list_display = ["received_at", "source", "from_address", "outcome", "reason", "detail"]
    list_filter = ["outcome", "reason", "source"]
    search_fields = ["from_address", "envelope_from", "message_id"]
    date_hierarchy = "received_at"
    list_select_related = ["user", "target_type"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
