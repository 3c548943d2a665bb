"""/api/v1/consultations/: consultations (list by status, one), their comments (list,
post), supports, amendments. Reading needs no account; taking part needs a token of an
account with the consultation's assurance level (403 names it otherwise)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.api.conversations.views import INVALID, NOT_SIGNED_IN, _error
from townhall.api.errors import AssuranceRequired
from townhall.api.pagination import KeysetPagination
from townhall.api.parsers import JSONBodyParser
from townhall.api.views import JSON_ONLY
from townhall.consultations import actions, queries
from townhall.consultations.diffs import word_diff
from townhall.consultations.documents import documents_of
from townhall.consultations.models import (
    Comment,
    Consultation,
    ConsultationQuerySet,
    Question,
    Section,
    Status,
)
from townhall.conversations.moderation import moderator_for

from .serializers import (
    AmendmentInputSerializer,
    AmendmentSerializer,
    AnswerInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    ConsultationSerializer,
    ResponseSerializer,
    SectionSupportSerializer,
    SupportInputSerializer,
)

NOT_VISIBLE = _error("No consultation with this id.")
CONSULTATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The consultation's id."
)
LEVEL_TOO_LOW = _error(
    "Your assurance level is too low to take part (the body names the level needed in "
    "`required_assurance_level`)."
)
# The refusals of a request taking part (after the 200/201 responses).
TAKING_PART_REFUSALS = {
    400: INVALID,
    401: NOT_SIGNED_IN,
    403: LEVEL_TOO_LOW,
    404: NOT_VISIBLE,
}


@contextmanager
def action_errors() -> Iterator[None]:
    """An action's refusal in the API's error format."""
    try:
        yield
    except actions.AssuranceTooLow as error:
        url = urljoin(settings.SITE_URL, reverse("identity:account"))
        raise AssuranceRequired(
            _("%(message)s You can check your assurance level on your account page: %(url)s")
            % {"message": str(error.message).rstrip(), "url": url},
            required_level=error.required,
            assurance_url=url,
        ) from error
    except PermissionDenied as error:
        raise exceptions.PermissionDenied(str(error)) from error
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise serializers.ValidationError(error.message_dict) from error
        raise serializers.ValidationError({"non_field_errors": error.messages}) from error


def _context(request: Request) -> dict[str, Any]:
    return {"request": request}


def api_consultations(user: Any) -> ConsultationQuerySet:
    """Consultations `user` may read, with their current sections and staff (a fixed number
    of queries for a page)."""
    return (  # type: ignore[no-any-return]
        queries.consultations_visible_to(user)
        .prefetch_related(
            Prefetch(
                "current_version__sections",
                queryset=Section.objects.order_by("order"),
            ),
            "responsible",
        )
        .order_by()
    )


def _consultation(pk: int, request: Request) -> Consultation:
    return queries.get_visible_consultation(pk, request.user)


def _sent(
    request: Request, pk: int, serializer_class: type[serializers.Serializer]
) -> tuple[Consultation, dict[str, Any]]:
    """The visible consultation (404 first) and the request's body, validated (400)."""
    consultation = _consultation(pk, request)
    sent = serializer_class(data=request.data)
    sent.is_valid(raise_exception=True)
    return consultation, sent.validated_data


def _taking_part_response(data: Any, created: bool) -> Response:
    """201 for a new support or answer, 200 for a changed one."""
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _with_diffs(amendments: Any) -> Any:
    """The amendments, each with `diff_html` against its section."""
    for amendment in amendments:
        amendment.diff_html = word_diff(amendment.section.body, amendment.text)
    return amendments


def _required_section(consultation: Consultation, section_id: int) -> Section:
    section = _section(consultation, section_id)
    assert section is not None
    return section


def _section(consultation: Consultation, section_id: int | None) -> Section | None:
    if section_id is None:
        return None
    found = Section.objects.filter(pk=section_id, version__consultation=consultation).first()
    if found is None:
        raise serializers.ValidationError(
            {"section": [_("There is no such section in this consultation.")]}
        )
    return found


def _shown(comments: list[Comment], request: Request, consultation: Consultation) -> None:
    user = request.user
    signed_in = bool(user and user.is_authenticated)
    moderates = bool(
        signed_in
        and any(c.is_hidden for c in comments)
        and moderator_for(user, consultation.agency_id) is not None
    )
    for comment in comments:
        visible = not comment.is_hidden or moderates or (signed_in and comment.author_id == user.pk)
        comment.display_html = comment.body_html if visible else ""  # type: ignore[attr-defined]


class ConsultationListView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="consultations_list",
        summary="Consultations",
        description=(
            "Published consultations, newest first, in pages (follow `next`). Filter with "
            "`?status=open|closed|upcoming` and `?agency=slug`. No account needed."
        ),
        parameters=[
            OpenApiParameter(
                "status", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=Status.values
            ),
            OpenApiParameter("agency", OpenApiTypes.STR, OpenApiParameter.QUERY),
        ],
        responses={200: ConsultationSerializer(many=True), 400: INVALID},
        tags=["consultations"],
    )
    def get(self, request: Request) -> Response:
        found = api_consultations(request.user)
        wanted = request.query_params.get("status")
        if wanted:
            if wanted not in Status.values:
                raise serializers.ValidationError(
                    {"status": [_("Choose open, closed or upcoming.")]}
                )
            found = found.with_status(wanted)
        agency = request.query_params.get("agency")
        if agency:
            found = found.filter(agency__slug=agency[:80])
        paginator = KeysetPagination()
        page = paginator.paginate_queryset(found, request, self)
        data = ConsultationSerializer(page, many=True, context=_context(request)).data
        return paginator.get_paginated_response(data)


class ConsultationDetailView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="consultations_retrieve",
        summary="One consultation, with its current sections and their counts",
        parameters=[CONSULTATION_ID],
        responses={200: ConsultationSerializer, 404: NOT_VISIBLE},
        tags=["consultations"],
    )
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk, request)
        consultation.api_sections = queries.current_sections(consultation)  # type: ignore[attr-defined]
        consultation.api_questions = queries.questions_with_results(consultation, request.user)  # type: ignore[attr-defined]
        consultation.api_documents = list(documents_of(consultation))  # type: ignore[attr-defined]
        return Response(ConsultationSerializer(consultation, context=_context(request)).data)


class CommentPagination(KeysetPagination):
    ordering = "id"  # oldest first


# Reading (GET) needs no account; taking part (POST) needs a signed-in one. (A comment,
# not a docstring: drf-spectacular would show a docstring as the operations' description.)
class _ReadOrTakePartView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]


class ConsultationCommentsView(_ReadOrTakePartView):
    @extend_schema(
        operation_id="consultations_comments_list",
        summary="A consultation's comments",
        description=(
            "Oldest first, in pages. Hidden comments keep their place with an empty "
            "`body_html` and the moderator's reason in `hidden_notice`. `?section=id` "
            "gives one section's."
        ),
        parameters=[
            CONSULTATION_ID,
            OpenApiParameter("section", OpenApiTypes.INT, OpenApiParameter.QUERY),
        ],
        responses={200: CommentSerializer(many=True), 404: NOT_VISIBLE},
        tags=["consultations"],
    )
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk, request)
        found = queries.comments_shown(consultation).select_related("version").order_by()
        section = request.query_params.get("section", "")
        if section:
            if not section.isdigit() or len(section) > 18:
                raise serializers.ValidationError({"section": [_("Give the section's id.")]})
            found = found.filter(section_id=int(section))
        paginator = CommentPagination()
        page = list(paginator.paginate_queryset(found, request, self) or [])
        _shown(page, request, consultation)
        data = CommentSerializer(page, many=True, context=_context(request)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="consultations_comments_create",
        summary="Comment on a consultation, a section, or a passage of a section",
        description=(
            "`section` (an id of the current version, or null for the whole "
            "consultation), `body` (Markdown), optionally `passage` (exact text from the "
            "section) and `parent` (reply). Refused when closed, or when the passage is "
            "not in the section. The same comment sent again within a few minutes gives "
            "back the first one."
        ),
        parameters=[CONSULTATION_ID],
        request=CommentInputSerializer,
        responses={
            201: CommentSerializer,
            **TAKING_PART_REFUSALS,
        },
        tags=["consultations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        consultation, data = _sent(request, pk, CommentInputSerializer)
        section = _section(consultation, data.get("section"))
        parent = None
        if data.get("parent") is not None:
            parent = Comment.objects.filter(consultation=consultation, pk=data["parent"]).first()
            if parent is None:
                raise serializers.ValidationError(
                    {"parent": [_("You can only reply to a comment of this consultation.")]}
                )
        with action_errors():
            comment = actions.post_comment(
                by=request.user,
                consultation=consultation,
                section=section,
                passage=data.get("passage", ""),
                parent=parent,
                body=data["body"],
            )
        shown = queries.comments_shown(consultation).select_related("version").get(pk=comment.pk)
        shown.display_html = shown.body_html  # type: ignore[attr-defined]
        return Response(
            CommentSerializer(shown, context=_context(request)).data, status=status.HTTP_201_CREATED
        )


class ConsultationSupportsView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="consultations_supports_create",
        summary="Support or oppose a section",
        description=(
            "`section` (an id of the current version), `stance` (`support` or `oppose`) "
            "and an optional `reason`. One per account and section: sending again changes "
            "it (200) instead of adding one (201)."
        ),
        parameters=[CONSULTATION_ID],
        request=SupportInputSerializer,
        responses={
            200: SectionSupportSerializer,
            201: SectionSupportSerializer,
            **TAKING_PART_REFUSALS,
        },
        tags=["consultations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        consultation, data = _sent(request, pk, SupportInputSerializer)
        section = _required_section(consultation, data["section"])
        with action_errors():
            support, created = actions.set_support(
                by=request.user,
                section=section,
                stance=data["stance"],
                reason=data.get("reason", ""),
            )
        return _taking_part_response(SectionSupportSerializer(support).data, created)


class ConsultationAmendmentsView(_ReadOrTakePartView):
    @extend_schema(
        operation_id="consultations_amendments_list",
        summary="A consultation's proposed amendments, each with its difference",
        description="`outcome` and `response` are filled once the response is published.",
        parameters=[CONSULTATION_ID],
        responses={200: AmendmentSerializer(many=True), 404: NOT_VISIBLE},
        tags=["consultations"],
    )
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk, request)
        found = _with_diffs(queries.amendments_of(consultation)[:500])
        return Response(AmendmentSerializer(found, many=True).data)

    @extend_schema(
        operation_id="consultations_amendments_create",
        summary="Propose replacement text for a section of the current version",
        parameters=[CONSULTATION_ID],
        request=AmendmentInputSerializer,
        responses={
            201: AmendmentSerializer,
            **TAKING_PART_REFUSALS,
        },
        tags=["consultations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        consultation, data = _sent(request, pk, AmendmentInputSerializer)
        section = _required_section(consultation, data["section"])
        with action_errors():
            amendment = actions.propose_amendment(
                by=request.user, section=section, text=data["text"], reason=data.get("reason", "")
            )
        amendment.diff_html = word_diff(section.body, amendment.text)  # type: ignore[attr-defined]
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class ConsultationResponseView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="consultations_response_retrieve",
        summary="The agency's published response: themes and amendments with their outcomes",
        description="404 until the response is published.",
        parameters=[CONSULTATION_ID],
        responses={200: ResponseSerializer, 404: NOT_VISIBLE},
        tags=["consultations"],
    )
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk, request)
        if not consultation.has_response:
            raise exceptions.NotFound(_("The response is not published yet."))
        amendments = _with_diffs(queries.amendments_of(consultation))
        url = reverse("consultations:consultation-response", kwargs={"pk": consultation.pk})
        consultation.url = request.build_absolute_uri(url)  # type: ignore[attr-defined]
        consultation.themes_shown = queries.themes_of(consultation)  # type: ignore[attr-defined]
        data = ResponseSerializer(
            {
                "response_published_at": consultation.response_published_at,
                "response_summary_html": consultation.response_summary_html,
                "url": consultation.url,  # type: ignore[attr-defined]
                "themes": consultation.themes_shown,  # type: ignore[attr-defined]
                "amendments": amendments,
            }
        ).data
        return Response(data)


class AnswerResultSerializer(serializers.Serializer):
    question = serializers.IntegerField(source="question_id")
    value = serializers.JSONField()
    answered_at = serializers.DateTimeField()


class ConsultationAnswersView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="consultations_answers_create",
        summary="Answer a question with fixed answers",
        description=(
            "`question` (id) and `value`: one of its choices, a list of them, or 1 to 5 for "
            "a scale. One answer per account and question: answering again replaces it "
            "(200 instead of 201)."
        ),
        parameters=[CONSULTATION_ID],
        request=AnswerInputSerializer,
        responses={
            200: AnswerResultSerializer,
            201: AnswerResultSerializer,
            **TAKING_PART_REFUSALS,
        },
        tags=["consultations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        consultation, data = _sent(request, pk, AnswerInputSerializer)
        question = Question.objects.filter(consultation=consultation, pk=data["question"]).first()
        if question is None:
            raise serializers.ValidationError(
                {"question": [_("There is no such question in this consultation.")]}
            )
        with action_errors():
            answer, created = actions.answer_question(
                by=request.user, question=question, value=data["value"]
            )
        return _taking_part_response(AnswerResultSerializer(answer).data, created)
