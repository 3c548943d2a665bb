"""Site administration for threads, messages and attachments: read-only.

Messages are written and edited through `actions` by the apps that own the threads, so
their Activity entries are recorded; administrators only look. Attachments are listed,
never linked: files are served only by the owning app's download view, after its
permission check.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Attachment, Message, Thread
from .moderation_models import Appeal, Flag, ModerationEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MessageInline(admin.TabularInline):
    model = Message
    fields = readonly_fields = (
        "created_at",
        "author",
        "persona",
        "is_internal",
        "body",
        "edited_at",
    )
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "kind", "agency", "created_at", "is_locked"]
    list_filter = ["kind", "is_locked", "agency"]
    list_select_related = ["agency"]
    search_fields = ["title"]
    date_hierarchy = "created_at"
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "thread", "author", "persona", "is_internal", "created_at"]
    list_filter = ["is_internal"]
    list_select_related = ["thread", "author", "persona__user", "persona__agency"]
    search_fields = ["body"]
    date_hierarchy = "created_at"
    fields = readonly_fields = (
        "thread",
        "author",
        "persona",
        "is_internal",
        "body",
        "created_at",
        "edited_at",
    )
    raw_id_fields = ["thread"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "size", "thread", "is_internal", "uploaded_at"]
    list_filter = ["content_type", "is_internal"]
    list_select_related = ["thread"]
    search_fields = ["original_name", "storage_key"]
    date_hierarchy = "uploaded_at"
    fields = readonly_fields = (
        "thread",
        "message",
        "uploaded_by",
        "original_name",
        "content_type",
        "size",
        "storage_key",
        "is_internal",
        "uploaded_at",
    )


# Moderation: flags, the public log and appeals are written by `moderation`'s actions
# (the queue under /moderation/); administrators only look here.


@admin.register(Flag)
class FlagAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "category", "state", "message", "flagged_by"]
    list_filter = ["state", "category"]
    list_select_related = ["message", "flagged_by"]
    raw_id_fields = ["message", "flagged_by", "resolved_by"]


@admin.register(ModerationEntry)
class ModerationEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "agency", "moderator_name", "reason"]
    list_filter = ["action", "agency"]
    list_select_related = ["agency"]
    raw_id_fields = ["thread", "message", "moderator", "persona"]


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    # In the order of before `AppealBase` (whose fields come first in the model).
    fields = [
        "message",
        "author",
        "text",
        "created_at",
        "outcome",
        "decided_by",
        "decided_by_name",
        "decision",
        "decided_at",
    ]
    list_display = ["created_at", "outcome", "author", "decided_by_name"]
    list_filter = ["outcome"]
    list_select_related = ["author"]
    raw_id_fields = ["message", "author", "decided_by"]
