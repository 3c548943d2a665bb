from django.contrib import admin
from django.http import HttpRequest

from .models import Activity


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
