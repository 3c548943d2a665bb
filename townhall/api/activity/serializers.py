"""Wire formats of notifications and follows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.activity.models import Follow, Notification

from .targets import KINDS, Described


def _absolute(context: Mapping[str, Any], path: str) -> str | None:
    if not path:
        return None
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class NotificationSerializer(serializers.ModelSerializer):
    summary = serializers.CharField(
        source="activity.summary", help_text=_("What happened, in one sentence.")
    )
    url = serializers.SerializerMethodField(help_text=_("The page to open, or null."))

    class Meta:
        model = Notification
        fields = ["id", "reason", "summary", "url", "created_at", "read_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, notification: Notification) -> str | None:
        return _absolute(self.context, notification.url)


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text=_("How many of your notifications are unread."))


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were marked read."))


class FollowSerializer(serializers.ModelSerializer):
    """A follow; `described` (in the context) maps follow ids to what they follow."""

    kind = serializers.SerializerMethodField(
        help_text=_("request, conversation, discussion or agency.")
    )
    target = serializers.SerializerMethodField(
        help_text=_(
            "How to name it to POST /follows/: a request's reference, a thread's id or an "
            "agency's slug; empty when you can no longer see it."
        )
    )
    title = serializers.SerializerMethodField(
        help_text=_("Its title; empty when it is gone or you can no longer see it.")
    )
    url = serializers.SerializerMethodField(help_text=_("Its page, or null."))

    class Meta:
        model = Follow
        fields = ["id", "kind", "target", "title", "url", "created_at"]
        read_only_fields = fields

    def _described(self, follow: Follow) -> Described:
        return self.context["described"][follow.pk]  # type: ignore[no-any-return]

    def get_kind(self, follow: Follow) -> str:
        return self._described(follow).kind

    def get_target(self, follow: Follow) -> str:
        return self._described(follow).reference

    def get_title(self, follow: Follow) -> str:
        return self._described(follow).title

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, follow: Follow) -> str | None:
        return _absolute(self.context, self._described(follow).url)


class FollowInputSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=KINDS,
        help_text=_("What to follow: request, conversation, discussion or agency."),
        error_messages={
            "invalid_choice": _("Choose one of: request, conversation, discussion, agency.")
        },
    )
    id = serializers.CharField(
        max_length=100,
        help_text=_(
            "Which one: a request's reference (SPR-2026-000123), a conversation's or "
            "discussion's id, or an agency's slug."
        ),
    )
