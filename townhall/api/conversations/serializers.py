"""Wire formats of conversations: read from records, sent to actions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.commitments.models import DESCRIPTION_MAX_LENGTH, Commitment
from townhall.conversations.models import Message, Thread


def _absolute(context: Mapping[str, Any], path: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- sent ------------------------------------------------------------------------------------


class ConversationStartSerializer(serializers.Serializer):
    staff = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("The staff member to write to: `id` in an agency's public `staff` list."),
        error_messages={"invalid": _("Give the staff member's id, a whole number.")},
    )
    team = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=80,
        help_text=_("Or the team to write to, by its slug (see an agency's `teams`)."),
        error_messages={"invalid": _("Give the team's slug, such as streets.")},
    )
    agency = serializers.SlugField(
        required=False,
        allow_null=True,
        max_length=80,
        help_text=_("The team's agency, needed only when two agencies have a team of that slug."),
    )
    # Lengths and emptiness are the action's to judge, with the same words as the pages.
    subject = serializers.CharField(allow_blank=True, trim_whitespace=False)
    body = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("Markdown; rendered as `body_html`.")
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("staff") is None) == (not attrs.get("team")):
            raise serializers.ValidationError(
                {"staff": [_("Give either “staff” (a staff member's id) or “team” (a slug).")]}
            )
        return attrs


class ConversationPromiseInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=DESCRIPTION_MAX_LENGTH, help_text=_("What you promise, such as “I will call”.")
    )
    due_at = serializers.DateTimeField(help_text=_("When it is due, with a time zone."))


class ConversationMessageInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)
    promise = ConversationPromiseInputSerializer(
        required=False,
        allow_null=True,
        help_text=_("Staff only: a promise made with this message, to the citizen."),
    )


# --- read ------------------------------------------------------------------------------------


class ConversationReadReceiptSerializer(serializers.Serializer):
    by = serializers.CharField(source="reader.public_name")
    at = serializers.DateTimeField(source="read_at")


class ConversationMessageSerializer(serializers.ModelSerializer):
    """Expects messages from `conversations.queries.conversation_messages`."""

    url = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField(help_text=_("The display name of who wrote it."))
    title = serializers.SerializerMethodField(help_text=_("Their job title; null for citizens."))
    agency = serializers.SerializerMethodField(help_text=_("Their agency; null for citizens."))
    body_html = serializers.SerializerMethodField()
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    hidden_notice = serializers.SerializerMethodField(
        help_text=_(
            "For a hidden message: “Hidden by moderator Lee Chen: personal data”. Its "
            "`body_html` is empty except for its author and the moderators."
        )
    )
    read = serializers.SerializerMethodField(
        help_text=_("For the citizen's messages: who of the addressed staff read it, and when.")
    )

    class Meta:
        model = Message
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
            "hidden_notice",
            "read",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, message: Message) -> str:
        return _absolute(self.context, f"{message.thread.get_absolute_url()}#message-{message.pk}")

    def get_author(self, message: Message) -> str:
        if message.persona is not None:
            return message.persona.public_name
        return str(message.author.display_name)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_title(self, message: Message) -> str | None:
        return message.persona.job_title if message.persona is not None else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_agency(self, message: Message) -> str | None:
        return message.persona.agency.name if message.persona is not None else None

    def get_body_html(self, message: Message) -> str:
        shown = getattr(message, "display_html", None)  # see moderation.prepare_messages
        if shown is not None:
            return str(shown)
        user = self.context.get("user")
        if message.is_hidden and (user is None or user.pk != message.author_id):
            return ""
        return message.body_html

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_hidden_notice(self, message: Message) -> str | None:
        if not message.is_hidden:
            return None
        return str(getattr(message, "hidden_notice", "") or _("Hidden by a moderator."))

    @extend_schema_field(ConversationReadReceiptSerializer(allow_null=True))
    def get_read(self, message: Message) -> Any:
        receipt = message.read_receipt
        return ConversationReadReceiptSerializer(receipt).data if receipt is not None else None


class ConversationPromiseSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="description")
    state = serializers.CharField(
        read_only=True, help_text=_("open, kept, broken, renegotiated or cancelled.")
    )
    held_by = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = ["id", "text", "due_at", "state", "held_by", "kept_at", "broken_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_held_by(self, commitment: Commitment) -> str | None:
        persona = commitment.holder or commitment.made_by_persona
        return f"{persona.public_name}, {persona.job_title}" if persona is not None else None


class ConversationAddresseeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")
    title = serializers.CharField(source="job_title")


class ConversationSummarySerializer(serializers.ModelSerializer):
    """Expects threads from `conversations.queries` (people and agency joined)."""

    url = serializers.SerializerMethodField()
    kind = serializers.CharField(
        read_only=True, help_text=_("direct (with a staff member) or team (with a team).")
    )
    subject = serializers.CharField(source="title")
    agency = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    staff = ConversationAddresseeSerializer(read_only=True, allow_null=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)  # type: ignore[var-annotated]
    citizen = serializers.CharField(source="citizen.display_name", read_only=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "url",
            "kind",
            "subject",
            "agency",
            "staff",
            "team",
            "citizen",
            "created_at",
            "last_message_at",
            "is_locked",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, thread: Thread) -> str:
        return _absolute(self.context, thread.get_absolute_url())


class ConversationSerializer(ConversationSummarySerializer):
    """One conversation whole: `api_messages` and `api_promises` are set by the view."""

    messages = ConversationMessageSerializer(many=True, read_only=True, source="api_messages")
    promises = ConversationPromiseSerializer(many=True, read_only=True, source="api_promises")

    class Meta(ConversationSummarySerializer.Meta):
        fields = [*ConversationSummarySerializer.Meta.fields, "promises", "messages"]
        read_only_fields = fields
