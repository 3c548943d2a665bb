"""Wire formats of consultations (issue 5 fixes these names: `id`, `url`, `status`,
`closes_at`, `sections` with `id`, `heading`, `body_html`, and `exports` with `csv` and
`json`; comments take `section`, `body`, `passage`; supports `section`, `stance`,
`reason`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from townhall.api.conversations.serializers import _absolute
from townhall.consultations.models import (
    Amendment,
    Comment,
    Consultation,
    Document,
    Section,
    Stance,
)

# --- sent ------------------------------------------------------------------------------------


class CommentInputSerializer(serializers.Serializer):
    section = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_(
            "The id of a section of the current version, or null for the whole consultation."
        ),
        error_messages={"invalid": _("Give the section's id, a whole number, or null.")},
    )
    # Lengths and emptiness are the action's to judge, with the same words as the pages.
    body = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text=_("Markdown."))
    passage = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("Optional: exact text from the section that the comment is about."),
    )
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        min_value=1,
        help_text=_("Optional: the id of the comment replied to (replies nest one level)."),
        error_messages={"invalid": _("Give the comment's id, a whole number.")},
    )


class SupportInputSerializer(serializers.Serializer):
    section = serializers.IntegerField(
        min_value=1, error_messages={"invalid": _("Give the section's id, a whole number.")}
    )
    stance = serializers.ChoiceField(
        choices=Stance.choices,
        error_messages={"invalid_choice": _("Choose “support” or “oppose”.")},
    )
    reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class AmendmentInputSerializer(serializers.Serializer):
    section = serializers.IntegerField(
        min_value=1, error_messages={"invalid": _("Give the section's id, a whole number.")}
    )
    text = serializers.CharField(
        allow_blank=True, trim_whitespace=False, help_text=_("The replacement text (Markdown).")
    )
    reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


# --- read ------------------------------------------------------------------------------------


class SectionSerializer(serializers.ModelSerializer):
    comments = serializers.IntegerField(source="comment_count", read_only=True, required=False)
    supports = serializers.IntegerField(source="support_count", read_only=True, required=False)
    oppositions = serializers.IntegerField(source="oppose_count", read_only=True, required=False)

    class Meta:
        model = Section
        fields = [
            "id",
            "order",
            "heading",
            "body",
            "body_html",
            "comments",
            "supports",
            "oppositions",
        ]

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        if not hasattr(instance, "comment_count"):  # counts on one consultation only
            for key in ("comments", "supports", "oppositions"):
                data.pop(key, None)
        return data


class QuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField(help_text=_("single, multiple or scale (1 to 5)."))
    choices = serializers.ListField(child=serializers.CharField())
    results = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_results(self, obj: Any) -> dict[str, int]:
        return {str(option): count for option, count in getattr(obj, "results", [])}


class AnswerInputSerializer(serializers.Serializer):
    question = serializers.IntegerField(
        min_value=1, error_messages={"invalid": _("Give the question's id, a whole number.")}
    )
    value = serializers.JSONField(
        help_text=_("One choice (text), a list of choices, or a whole number from 1 to 5.")
    )


class ExportsSerializer(serializers.Serializer):
    csv = serializers.URLField()
    json = serializers.URLField()


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField(help_text=_("In bytes."))
    url = serializers.SerializerMethodField()

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Document) -> str:
        return _absolute(
            self.context,
            reverse(
                "consultations:document-download",
                kwargs={"pk": obj.consultation_id, "doc_pk": obj.pk},
            ),
        )


class ConsultationSerializer(serializers.ModelSerializer):
    """Expects consultations from `api_consultations` (sections prefetched)."""

    url = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True
    )
    required_assurance_level = serializers.CharField(source="required_assurance", read_only=True)
    version = serializers.SerializerMethodField()
    days_left = serializers.IntegerField(read_only=True)
    sections = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()
    exports = serializers.SerializerMethodField()
    responsible = serializers.SerializerMethodField()
    response_url = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Consultation
        fields = [
            "id",
            "url",
            "title",
            "summary",
            "agency",
            "status",
            "required_assurance_level",
            "published_at",
            "opens_at",
            "closes_at",
            "days_left",
            "response_published_at",
            "response_url",
            "version",
            "responsible",
            "sections",
            "questions",
            "exports",
            "documents",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Consultation) -> str:
        return _absolute(self.context, obj.get_absolute_url())

    @extend_schema_field(OpenApiTypes.INT)
    def get_version(self, obj: Consultation) -> int | None:
        return obj.current_version.number if obj.current_version else None

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, obj: Consultation) -> Any:
        sections = getattr(obj, "api_sections", None)
        if sections is None:
            sections = obj.current_version.sections.all() if obj.current_version else []
        return SectionSerializer(sections, many=True).data

    @extend_schema_field(QuestionSerializer(many=True))
    def get_questions(self, obj: Consultation) -> Any:
        """Only on one consultation (with results); lists leave them out."""
        questions = getattr(obj, "api_questions", None)
        return QuestionSerializer(questions, many=True).data if questions is not None else None

    @extend_schema_field(DocumentSerializer(many=True, allow_null=True))
    def get_documents(self, obj: Consultation) -> Any:
        """Only on one consultation (not withdrawn, each with its download URL); lists
        leave them out."""
        documents = getattr(obj, "api_documents", None)
        if documents is None:
            return None
        return DocumentSerializer(documents, many=True, context=self.context).data

    @extend_schema_field(ExportsSerializer)
    def get_exports(self, obj: Consultation) -> dict[str, str]:
        return {
            "csv": _absolute(
                self.context,
                reverse("consultations:consultation-export-csv", kwargs={"pk": obj.pk}),
            ),
            "json": _absolute(
                self.context,
                reverse("consultations:consultation-export-json", kwargs={"pk": obj.pk}),
            ),
        }

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_responsible(self, obj: Consultation) -> list[str]:
        return [f"{m.public_name}, {m.job_title}" for m in obj.responsible.all()]

    @extend_schema_field(OpenApiTypes.URI)
    def get_response_url(self, obj: Consultation) -> str | None:
        if not obj.has_response:
            return None
        return _absolute(
            self.context, reverse("consultations:consultation-response", kwargs={"pk": obj.pk})
        )


class CommentSerializer(serializers.ModelSerializer):
    """Expects comments from `queries.comments_shown`, with `display_html` set."""

    url = serializers.SerializerMethodField()
    author = serializers.CharField(source="signature", read_only=True)
    section = serializers.IntegerField(source="section_id", read_only=True, allow_null=True)
    parent = serializers.IntegerField(  # type: ignore[assignment]
        source="parent_id", read_only=True, allow_null=True
    )
    version = serializers.IntegerField(source="version.number", read_only=True)
    body_html = serializers.CharField(source="display_html", read_only=True)
    hidden = serializers.BooleanField(source="is_hidden", read_only=True)
    hidden_notice = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = [
            "id",
            "url",
            "section",
            "passage",
            "parent",
            "version",
            "author",
            "body_html",
            "created_at",
            "hidden",
            "hidden_notice",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: Comment) -> str:
        return _absolute(self.context, obj.get_absolute_url())

    def get_hidden_notice(self, obj: Comment) -> str:
        return obj.hidden_notice if obj.is_hidden else ""


class SectionSupportSerializer(serializers.Serializer):
    section = serializers.IntegerField(source="section_id")
    stance = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    changed_at = serializers.DateTimeField()


class AmendmentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)
    section = serializers.IntegerField(source="section_id", read_only=True)
    diff_html = serializers.CharField(
        read_only=True, help_text=_("The section's text with the change marked (<del>, <ins>).")
    )
    outcome = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    class Meta:
        model = Amendment
        fields = [
            "id",
            "section",
            "author",
            "text",
            "reason",
            "diff_html",
            "created_at",
            "outcome",
            "response",
        ]

    def get_outcome(self, obj: Amendment) -> str:
        return obj.outcome if obj.consultation.has_response else ""

    def get_response(self, obj: Amendment) -> str:
        return obj.response if obj.consultation.has_response else ""


class ThemeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    outcome = serializers.CharField()
    response_html = serializers.CharField()
    comments = serializers.IntegerField(source="comment_count")


class ResponseSerializer(serializers.Serializer):
    published_at = serializers.DateTimeField(source="response_published_at")
    summary_html = serializers.CharField(source="response_summary_html")
    url = serializers.URLField()
    themes = ThemeSerializer(many=True)
    amendments = AmendmentSerializer(many=True)
