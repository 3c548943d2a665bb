"""Wire formats of public discussions: read from records, sent to actions. Messages reuse
the conversations' format and add what discussions have."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.api.conversations.serializers import ConversationMessageSerializer, _absolute
from townhall.conversations.models import Message, Thread

# --- sent ------------------------------------------------------------------------------------


class DiscussionStartSerializer(serializers.Serializer):
    agency = serializers.SlugField(
        max_length=80,
        help_text=_("The agency whose page the discussion is on, by its slug."),
        error_messages={"invalid": _("Give the agency's slug, such as public-works.")},
    )
    # Lengths and emptiness are the action's to judge, with the same words as the pages.
    title = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("Markdown; rendered as `body_html`.")
    )
    topic = serializers.CharField(
        required=False, allow_blank=True, help_text=_("An optional label, such as “Snow”.")
    )
    service_request = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=24,
        help_text=_("Optional: the reference of a service request it is about (one you can see)."),
    )


class DiscussionMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_(
            "Optional: the id of the message replied to. Replies nest one level: a reply "
            "to a reply is attached to the same top-level message."
        ),
        error_messages={"invalid": _("Give the message's id, a whole number.")},
    )
    official = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Staff of the agency only: this is its official answer, given by you."),
    )


# --- read ------------------------------------------------------------------------------------


class DiscussionMessageSerializer(ConversationMessageSerializer):
    """Expects messages from `discussion_queries.discussion_messages`."""

    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True, help_text=_("The message replied to.")
    )
    official = serializers.BooleanField(
        source="is_official",
        read_only=True,
        help_text=_("An official answer of the agency, given by the staff member named."),
    )
    helpful = serializers.IntegerField(
        source="helpful_count", read_only=True, help_text=_("How many people found it helpful.")
    )

    class Meta(ConversationMessageSerializer.Meta):
        fields = [
            "id",
            "url",
            "author",
            "title",
            "agency",
            "body_html",
            "created_at",
            "edited_at",
            "hidden",
            "parent",
            "official",
            "helpful",
        ]
        read_only_fields = fields


class DiscussionSummarySerializer(serializers.ModelSerializer):
    """Expects threads from `discussion_queries.discussions_visible_to`."""

    url = serializers.SerializerMethodField()
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    messages_count = serializers.IntegerField(source="message_count", read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "url",
            "title",
            "topic",
            "agency",
            "created_at",
            "last_message_at",
            "is_locked",
            "messages_count",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, thread: Thread) -> str:
        return _absolute(self.context, thread.get_absolute_url())


class DiscussionSerializer(DiscussionSummarySerializer):
    """One discussion whole: `api_messages` and `api_linked` are set by the view."""

    messages = DiscussionMessageSerializer(many=True, read_only=True, source="api_messages")
    linked_url = serializers.SerializerMethodField(
        help_text=_("The page of what it is about (a service request), if you may see it.")
    )

    class Meta(DiscussionSummarySerializer.Meta):
        fields = [f for f in DiscussionSummarySerializer.Meta.fields if f != "messages_count"] + [
            "linked_url",
            "messages",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_linked_url(self, thread: Thread) -> str | None:
        linked: Any = getattr(thread, "api_linked", None)
        if linked is None or not hasattr(linked, "get_absolute_url"):
            return None
        return _absolute(self.context, linked.get_absolute_url())


def message_data(message: Message, context: dict[str, Any]) -> Any:
    return DiscussionMessageSerializer(message, context=context).data
