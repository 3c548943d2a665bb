"""The lifecycle endpoints: POST /api/v1/requests/{reference}/<action>/, each calling one
action of `townhall.service_requests.actions`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import (
    Agency,
    StaffMembership,
    Team,
)
from townhall.api.parsers import JSONBodyParser
from townhall.api.views import JSON_ONLY
from townhall.commitments.models import Commitment
from townhall.conversations.models import Message
from townhall.service_requests import actions, queries
from townhall.service_requests.models import ServiceRequest

from .serializers import (
    AssignInputSerializer,
    BodyInputSerializer,
    DuplicateInputSerializer,
    MessageSerializer,
    NoteInputSerializer,
    ReasonInputSerializer,
    ReplyInputSerializer,
    RequestSerializer,
    TransferInputSerializer,
)
from .views import (
    INVALID,
    NOT_SIGNED_IN,
    NOT_VISIBLE,
    REFERENCE,
    REFUSED,
    action_errors,
    represent,
    visible_request,
)

# --- lifecycle actions ------------------------------------------------------------------------


class RequestActionView(APIView):
    """POST /requests/{reference}/<action>/: read the body, call one action, answer."""

    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]
    input_serializer: type[serializers.Serializer] | None = None
    error_names: Mapping[str, str] = {}

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def post(self, request: Request, reference: str) -> Response:
        subject = visible_request(reference, request.user)
        data: dict[str, Any] = {}
        if self.input_serializer is not None:
            body = self.input_serializer(data=request.data)
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
        with action_errors(self.error_names):
            result = self.perform(request, subject, data)
        if isinstance(result, Message):
            prefetch_related_objects([result], "persona__agency")
            context = {"request": request, "reference": subject.reference}
            return Response(
                MessageSerializer(result, context=context).data, status=status.HTTP_201_CREATED
            )
        return self.request_after(request, reference)

    @staticmethod
    def request_after(request: Request, reference: str) -> Response:
        """The request as it is now; 204 if the caller no longer may see it (a private
        request transferred to an agency they do not work for)."""
        try:
            return Response(represent(visible_request(reference, request.user), request))
        except Http404:
            return Response(status=status.HTTP_204_NO_CONTENT)


def _action_schema(
    operation: str,
    summary: str,
    description: str,
    request: Any = None,
    ok: Any = None,
    parameters: tuple[OpenApiParameter, ...] = (),
) -> Any:
    responses: dict[int, Any] = {
        401: NOT_SIGNED_IN,
        403: REFUSED,
        404: NOT_VISIBLE,
    }
    if ok is MessageSerializer:
        responses[201] = MessageSerializer
    else:
        responses[200] = RequestSerializer
        responses[204] = OpenApiResponse(
            description="Done; the request has moved where you may no longer see it."
        )
    responses[400] = INVALID
    return extend_schema(
        operation_id=f"requests_{operation}",
        summary=summary,
        description=description,
        parameters=[REFERENCE, *parameters],
        request=request,
        responses=responses,
        tags=["requests"],
    )


def _staff_persona(subject: ServiceRequest, slug: str | None) -> StaffMembership | None:
    if not slug:
        return None
    persona = (
        StaffMembership.objects.active()
        .select_related("agency", "user")
        .filter(agency=subject.agency, slug=slug)
        .first()
    )
    if persona is None:
        raise serializers.ValidationError(
            {
                "assignee": [
                    _("Nobody at %(agency)s has the profile slug “%(slug)s”.")
                    % {"agency": subject.agency.name, "slug": slug}
                ]
            }
        )
    return persona


def _team(agency: Agency, slug: str | None) -> Team | None:
    if not slug:
        return None
    team = Team.objects.filter(agency=agency, slug=slug).select_related("agency").first()
    if team is None:
        raise serializers.ValidationError(
            {
                "team": [
                    _("%(agency)s has no team with the slug “%(slug)s”.")
                    % {"agency": agency.name, "slug": slug}
                ]
            }
        )
    return team


class TakeView(RequestActionView):
    @_action_schema(
        "take",
        "Take a request (staff)",
        "You hold the request from now on. Taking one held by someone else is a 400 naming "
        "them; taking your own again changes nothing.",
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.take_request(by=request.user, request=subject)


class AssignView(RequestActionView):
    input_serializer = AssignInputSerializer

    @_action_schema(
        "assign",
        "Assign a request to a person or team (staff)",
        "Assigning anyone but yourself needs the manager or administrator role.",
        request=AssignInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        assignee = _staff_persona(subject, data.get("assignee"))
        team = _team(subject.agency, data.get("team"))
        return actions.assign_request(
            by=request.user, request=subject, assignee=assignee, team=team
        )


class TransferView(RequestActionView):
    input_serializer = TransferInputSerializer

    @_action_schema(
        "transfer",
        "Transfer a request to another team or agency (staff)",
        "Needs a note, shown in public. Nobody holds the request after the move.",
        request=TransferInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        agency = None
        if data.get("agency"):
            agency = Agency.objects.published().filter(slug=data["agency"]).first()
            if agency is None:
                raise serializers.ValidationError(
                    {
                        "agency": [
                            _("No published agency has the slug “%(slug)s”.")
                            % {"slug": data["agency"]}
                        ]
                    }
                )
        team = _team(agency or subject.agency, data.get("team"))
        return actions.transfer_request(
            by=request.user, request=subject, note=data["note"], team=team, agency=agency
        )


class ReplyView(RequestActionView):
    input_serializer = ReplyInputSerializer
    error_names = {"promise_due_at": "promise", "due_at": "promise", "description": "promise"}

    @_action_schema(
        "reply",
        "Reply to a request (staff, or the requester)",
        "Staff replies are signed with your name and title; the first one acknowledges the "
        "request. A `promise` (staff) records a commitment due at its time. The requester "
        "replying to a request waiting for them restarts the clock.",
        request=ReplyInputSerializer,
        ok=MessageSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        promise = data.get("promise") or {}
        return actions.reply_to_request(
            by=request.user,
            request=subject,
            body=data["body"],
            promise=promise.get("text") or None,
            promise_due_at=promise.get("due_at"),
        )


class NotesView(RequestActionView):
    input_serializer = BodyInputSerializer

    @extend_schema(
        operation_id="requests_notes_list",
        summary="A request's internal notes (staff)",
        description="Internal notes are for the agency's staff; for anyone else this is a 404.",
        parameters=[REFERENCE],
        responses={200: MessageSerializer(many=True), 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
        tags=["requests"],
    )
    def get(self, request: Request, reference: str) -> Response:
        subject = self._staff_only(request, reference)
        notes = [m for m in queries.request_messages(subject, request.user) if m.is_internal]
        context = {"request": request, "reference": subject.reference}
        return Response(MessageSerializer(notes, many=True, context=context).data)

    @_action_schema(
        "notes_create",
        "Add an internal note (staff)",
        "Seen by the agency's staff only, never by the requester or the public.",
        request=BodyInputSerializer,
        ok=MessageSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        self._staff_only(request, reference)
        return super().post(request, reference)

    @staticmethod
    def _staff_only(request: Request, reference: str) -> ServiceRequest:
        subject = visible_request(reference, request.user)
        if not (request.user.is_superuser or queries.is_agency_staff(request.user, subject.agency)):
            raise Http404
        return subject

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.add_internal_note(by=request.user, request=subject, body=data["body"])


class ClarifyView(RequestActionView):
    input_serializer = BodyInputSerializer

    @_action_schema(
        "clarify",
        "Ask the requester a question (staff)",
        "The request waits for the citizen and its clock pauses until they reply.",
        request=BodyInputSerializer,
        ok=MessageSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.request_clarification(by=request.user, request=subject, body=data["body"])


class AnswerView(RequestActionView):
    input_serializer = BodyInputSerializer

    @_action_schema(
        "answer",
        "Answer a request (staff)",
        "The answer keeps the respond (or extension) commitment.",
        request=BodyInputSerializer,
        ok=MessageSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.answer_request(by=request.user, request=subject, body=data["body"])


class CloseView(RequestActionView):
    input_serializer = NoteInputSerializer

    @_action_schema(
        "close",
        "Close a request (staff, or the requester withdrawing it)",
        "Closing a closed request is a 400.",
        request=NoteInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.close_request(by=request.user, request=subject, note=data.get("note", ""))


class DeclineView(RequestActionView):
    input_serializer = ReasonInputSerializer

    @_action_schema(
        "decline",
        "Decline a request (staff)",
        "The reason is public; the open commitments are cancelled with it.",
        request=ReasonInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.decline_request(by=request.user, request=subject, reason=data["reason"])


class DuplicateView(RequestActionView):
    input_serializer = DuplicateInputSerializer

    @_action_schema(
        "duplicate",
        "Mark a request as a duplicate of another (staff)",
        "The original must be of the same agency. Its requester and supporters of the "
        "duplicate follow the original.",
        request=DuplicateInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        try:
            original = visible_request(data["original"], request.user)
        except Http404 as error:
            raise serializers.ValidationError(
                {
                    "original": [
                        _("There is no request “%(reference)s” that you can see.")
                        % {"reference": data["original"]}
                    ]
                }
            ) from error
        return actions.mark_duplicate(
            by=request.user, request=subject, original=original, note=data.get("note", "")
        )


class ExtendView(RequestActionView):
    input_serializer = ReasonInputSerializer

    @_action_schema(
        "extend",
        "Extend the deadline of an FOI request (staff)",
        "Once per request, with a public reason, by the service's extension in working days.",
        request=ReasonInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        actions.extend_deadline(by=request.user, request=subject, reason=data["reason"])
        return subject


class ReopenView(RequestActionView):
    input_serializer = ReasonInputSerializer

    @_action_schema(
        "reopen",
        "Reopen an answered or closed request (the requester, or staff)",
        "Within the reopening period after the answer or closure, with a public reason; "
        "the request is in progress again.",
        request=ReasonInputSerializer,
    )
    def post(self, request: Request, reference: str) -> Response:
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        return actions.reopen_request(by=request.user, request=subject, reason=data["reason"])


COMMITMENT_ID = OpenApiParameter(
    "id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="The commitment's id, from the request's `commitments`.",
)


class KeepView(RequestActionView):
    """POST /requests/{reference}/commitments/{id}/keep/: a custom promise is done."""

    @_action_schema(
        "commitments_keep",
        "Mark a promise as kept (staff)",
        "For a promise typed in a reply (a `custom` commitment) about this request. Done "
        "after its due time, it stays counted as broken and is recorded as done late. "
        "Keeping it again changes nothing. The acknowledge and respond commitments are "
        "kept by replying and answering, not here.",
        parameters=(COMMITMENT_ID,),
    )
    def post(self, request: Request, reference: str, pk: int) -> Response:  # type: ignore[override]
        self.commitment_id = pk
        return super().post(request, reference)

    def perform(self, request: Request, subject: ServiceRequest, data: dict[str, Any]) -> Any:
        promise = Commitment.objects.visible_to(request.user).filter(pk=self.commitment_id).first()
        if promise is None:
            raise Http404
        actions.keep_promise(by=request.user, request=subject, commitment=promise)
        return subject
