"""Wire formats of the joined-up view, the citizen's own timeline and access log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class AgencyNameSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()


class CitizenTimelineEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_lazy(
            "request, conversation, discussion (a post in a public discussion), comment (on "
            "a consultation), commitment (a promise made to the citizen) or note (shared by "
            "staff)."
        ),
    )
    id = serializers.IntegerField(help_text=_lazy("The record's id within its kind."))
    at = serializers.DateTimeField(help_text=_lazy("When it was filed, started, written or made."))
    title = serializers.CharField()
    agency = serializers.SerializerMethodField()
    reference = serializers.CharField(help_text=_lazy("A request's reference; empty otherwise."))
    status = serializers.CharField(
        help_text=_lazy("A request's status, a promise's state (open, kept, broken...).")
    )
    due_at = serializers.DateTimeField(
        allow_null=True, help_text=_lazy("When an open request's answer or a promise is due.")
    )
    public = serializers.BooleanField(source="is_public")
    text = serializers.CharField(help_text=_lazy("The start of what was written."))
    by = serializers.CharField(
        help_text=_lazy(
            "A promise's or note's staff member (work name); whom a conversation is with."
        )
    )
    url = serializers.CharField(
        help_text=_lazy("Its page on the website, where the caller may open it.")
    )

    @extend_schema_field(AgencyNameSerializer(allow_null=True))
    def get_agency(self, entry: Any) -> dict[str, str] | None:
        if entry.agency is None:
            return None
        return {"slug": entry.agency.slug, "name": entry.agency.name}


class AccessLogEntrySerializer(serializers.Serializer):
    staff_name = serializers.CharField(
        help_text=_lazy("The staff member's work name (never their personal account name).")
    )
    agency = serializers.CharField(help_text=_lazy("Their agency's name."))
    at = serializers.DateTimeField()
    reason = serializers.CharField(
        help_text=_lazy(
            "Why: answering_request, answering_conversation, verifying_identity, "
            "handling_complaint, moderation, legal_obligation or other."
        )
    )
    reason_label = serializers.CharField(help_text=_lazy("The reason in words."))
    screen = serializers.CharField(
        help_text=_lazy(
            "Where: joined_up_view, request_detail, api_timeline, or in_person_verification "
            "(an identity check made in person)."
        )
    )
    subject = serializers.CharField(
        help_text=_lazy("What it was about, such as a request's reference.")
    )


class CitizenTimelinePageSerializer(serializers.Serializer):
    """A page: `next` (the older page, or null), `previous` (always null: pages are
    followed from the newest) and `results`."""

    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CitizenTimelineEntrySerializer(many=True)


class AccessLogPageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AccessLogEntrySerializer(many=True)
