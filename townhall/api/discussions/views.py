"""/api/v1/discussions/: public discussions, starting one, reading one, writing and
replying in it, and marking a message helpful. Reading needs no account."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import Agency
from townhall.api.conversations.views import INVALID, NOT_SIGNED_IN, _error, _invalid
from townhall.api.pagination import KeysetPagination
from townhall.api.parsers import JSONBodyParser
from townhall.api.views import JSON_ONLY
from townhall.conversations import discussion_queries as queries
from townhall.conversations import discussions
from townhall.conversations.models import Message, Thread
from townhall.service_requests.models import ServiceRequest

from .serializers import (
    DiscussionMessageInputSerializer,
    DiscussionMessageSerializer,
    DiscussionSerializer,
    DiscussionStartSerializer,
    DiscussionSummarySerializer,
)

NOT_VISIBLE = _error("No public discussion with this id.")
DISCUSSION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The discussion's id."
)
AGENCY_FILTER = OpenApiParameter(
    "agency", OpenApiTypes.STR, OpenApiParameter.QUERY, description="Only this agency's (slug)."
)
TOO_LARGE = _error("The request body is too large.")
NOT_JSON = _error("The body is not JSON.")


def _refused(error: DjangoValidationError | PermissionDenied) -> exceptions.APIException:
    """An action's refusal in the API's error format (its field names as the API's)."""
    if isinstance(error, PermissionDenied):
        return exceptions.PermissionDenied(str(error))
    if hasattr(error, "error_dict") and "linked_to" in error.error_dict:
        error.error_dict["service_request"] = error.error_dict.pop("linked_to")
    return _invalid(error)


def _context(request: Request) -> dict[str, Any]:
    return {"request": request, "user": request.user}


def represent(thread: Thread, request: Request) -> Any:
    """The discussion whole, as the caller may see it (a fixed number of queries)."""
    thread.api_messages = queries.discussion_messages(thread, request.user)  # type: ignore[attr-defined]
    thread.api_linked = queries.linked_object(thread, request.user)  # type: ignore[attr-defined]
    return DiscussionSerializer(thread, context=_context(request)).data


class DiscussionPagination(KeysetPagination):
    ordering = ("-last_message_at", "-id")  # type: ignore[assignment]  # most recently active first


class DiscussionListView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    def get_permissions(self) -> list[Any]:
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    @extend_schema(
        operation_id="discussions_list",
        summary="Public discussions",
        description=(
            "Every public discussion (or one agency's: `?agency=slug`), the most recently "
            "active first, in pages (follow `next`). No account needed."
        ),
        parameters=[AGENCY_FILTER],
        responses={200: DiscussionSummarySerializer(many=True)},
        tags=["discussions"],
    )
    def get(self, request: Request) -> Response:
        found = queries.discussions_visible_to(request.user).order_by()
        agency = request.query_params.get("agency")
        if agency:
            found = found.filter(agency__slug=agency[:80])
        paginator = DiscussionPagination()
        page = paginator.paginate_queryset(found, request, self)
        data = DiscussionSummarySerializer(page, many=True, context=_context(request)).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="discussions_create",
        summary="Start a public discussion on an agency's page",
        description=(
            "`agency` (slug), `title` and `body` (Markdown); optionally a `topic` label and "
            "the `service_request` (reference) it is about. Staff of the agency write as "
            "their work persona, anyone else under their display name. Mention staff with "
            "`@profile-slug` (`@agency/profile-slug` for another agency) and people who "
            "wrote in the discussion with `@[Their Name]`: they are notified. Sending the "
            "same discussion again within a few minutes gives back the first one."
        ),
        request=DiscussionStartSerializer,
        responses={
            201: DiscussionSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            403: _error("Your account has no public display name yet."),
            413: TOO_LARGE,
            415: NOT_JSON,
        },
        tags=["discussions"],
    )
    def post(self, request: Request) -> Response:
        sent = DiscussionStartSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        agency = Agency.objects.published().filter(slug=data["agency"]).first()
        if agency is None:
            raise serializers.ValidationError({"agency": [_("There is no such agency.")]})
        linked = None
        if data.get("service_request"):
            linked = (
                ServiceRequest.objects.visible_to(request.user)
                .filter(reference=data["service_request"])
                .first()
            )
            if linked is None:
                raise serializers.ValidationError(
                    {"service_request": [_("There is no service request of that reference.")]}
                )
        try:
            thread = discussions.start_discussion(
                by=request.user,
                agency=agency,
                title=data["title"],
                body=data["body"],
                topic=data.get("topic", ""),
                linked_to=linked,
            )
        except (DjangoValidationError, PermissionDenied) as error:
            raise _refused(error) from error
        thread = queries.get_visible_discussion(thread.pk, request.user)
        return Response(represent(thread, request), status=status.HTTP_201_CREATED)


class DiscussionDetailView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="discussions_retrieve",
        summary="One public discussion, with its messages",
        description=(
            "Messages oldest first; a reply carries the id of its top-level message in "
            "`parent`. Hidden messages keep their place with an empty `body_html`. No "
            "account needed."
        ),
        parameters=[DISCUSSION_ID],
        responses={200: DiscussionSerializer, 404: NOT_VISIBLE},
        tags=["discussions"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(represent(queries.get_visible_discussion(pk, request.user), request))


class DiscussionMessagesView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="discussions_messages_create",
        summary="Write or reply in a public discussion",
        description=(
            "`body` (Markdown), optionally `parent` (the id of the message replied to: a "
            "reply to a reply is attached to the same top-level message) and, for staff of "
            "the agency, `official`. Refused in a locked discussion. The same message sent "
            "again within a few minutes gives back the first one."
        ),
        parameters=[DISCUSSION_ID],
        request=DiscussionMessageInputSerializer,
        responses={
            201: DiscussionMessageSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            403: _error("Only the agency's staff give official answers, or no display name."),
            404: NOT_VISIBLE,
            413: TOO_LARGE,
            415: NOT_JSON,
        },
        tags=["discussions"],
    )
    def post(self, request: Request, pk: int) -> Response:
        thread = queries.get_visible_discussion(pk, request.user)
        sent = DiscussionMessageInputSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        parent = None
        if data.get("parent") is not None:
            parent = Message.objects.public().filter(thread=thread, pk=data["parent"]).first()
            if parent is None:
                raise serializers.ValidationError(
                    {"parent": [_("You can only reply to a message of this discussion.")]}
                )
        try:
            message = discussions.post_in_discussion(
                by=request.user,
                thread=thread,
                body=data["body"],
                parent=parent,
                official=data.get("official", False),
            )
        except (DjangoValidationError, PermissionDenied) as error:
            raise _refused(error) from error
        shown = queries.discussion_message(thread, message.pk, request.user)
        return Response(DiscussionMessageSerializer(shown, context=_context(request)).data, 201)


class HelpfulSerializer(serializers.Serializer):
    helpful = serializers.BooleanField(help_text=_("Whether you now mark it helpful."))
    count = serializers.IntegerField(help_text=_("How many people mark it helpful."))


class DiscussionHelpfulView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="discussions_messages_helpful",
        summary="Mark a message helpful, or take the mark back",
        description="One mark per account and message; not on your own messages.",
        parameters=[DISCUSSION_ID],
        request=None,
        responses={
            200: HelpfulSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: NOT_VISIBLE,
        },
        tags=["discussions"],
    )
    def post(self, request: Request, pk: int, message_pk: int) -> Response:
        thread = queries.get_visible_discussion(pk, request.user)
        message = queries.discussion_message(thread, message_pk, request.user)
        try:
            marked = discussions.toggle_helpful(by=request.user, message=message)
        except (DjangoValidationError, PermissionDenied) as error:
            raise _refused(error) from error
        return Response({"helpful": marked, "count": discussions.helpful_count(message)})
