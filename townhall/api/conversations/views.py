"""/api/v1/conversations/: the caller's conversations, starting one, reading one, and
writing in it (with a promise, for staff)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import StaffMembership, Team
from townhall.api.pagination import KeysetPagination
from townhall.api.parsers import JSONBodyParser
from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY
from townhall.conversations import actions, moderation, queries
from townhall.conversations.models import Message, Thread

from .serializers import (
    ConversationMessageInputSerializer,
    ConversationMessageSerializer,
    ConversationSerializer,
    ConversationStartSerializer,
    ConversationSummarySerializer,
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
NOT_VISIBLE = _error("No conversation with this id that you may read.")
INVALID = OpenApiResponse(
    ValidationErrorSerializer, description="What you sent is not valid; “errors” says why."
)
CONVERSATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The conversation's id."
)

# The actions' field names, as the API calls them.
FIELD_NAMES = {
    "promise": "promise.text",
    "promise_due_at": "promise.due_at",
    "files": "body",
    "__all__": "non_field_errors",
}


def _invalid(error: DjangoValidationError) -> serializers.ValidationError:
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({"non_field_errors": error.messages})
    renamed: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        renamed.setdefault(FIELD_NAMES.get(field, field), []).extend(messages)
    return serializers.ValidationError(renamed)


def represent(thread: Thread, request: Request) -> dict[str, Any]:
    """The conversation whole, as the caller may see it (a fixed number of queries)."""
    thread.api_messages = queries.conversation_messages(thread)  # type: ignore[attr-defined]
    moderation.prepare_messages(thread.api_messages, user=request.user, thread=thread)  # type: ignore[attr-defined]
    thread.api_promises = queries.conversation_promises(thread, request.user)  # type: ignore[attr-defined]
    context = {"request": request, "user": request.user}
    return ConversationSerializer(thread, context=context).data  # type: ignore[return-value]


class ConversationPagination(KeysetPagination):
    ordering = "-id"  # newest first


class ConversationListView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="conversations_list",
        summary="Your conversations",
        description=(
            "The conversations you started, and (staff) those addressed to you or to a team "
            "of yours; newest first, in pages (follow `next`)."
        ),
        responses={200: ConversationSummarySerializer(many=True), 401: NOT_SIGNED_IN},
        tags=["conversations"],
    )
    def get(self, request: Request) -> Response:
        paginator = ConversationPagination()
        page = paginator.paginate_queryset(queries.conversations_of(request.user), request, self)
        data = ConversationSummarySerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="conversations_create",
        summary="Start a conversation with a staff member or a team",
        description=(
            "Write to a named staff member (`staff`: the `id` in an agency's public `staff` "
            "list) or to a team (`team`: its slug; add `agency` when two agencies have a "
            "team of that slug). `body` is Markdown. The conversation is private to you and "
            "the agency's people who answer it. Sending the same conversation again within "
            "a few minutes gives back the first one instead of a second."
        ),
        request=ConversationStartSerializer,
        responses={
            201: ConversationSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            413: _error("The request body is too large."),
            415: _error("The body is not JSON."),
        },
        tags=["conversations"],
    )
    def post(self, request: Request) -> Response:
        sent = ConversationStartSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        data = sent.validated_data
        staff = team = None
        if data.get("staff") is not None:
            staff = StaffMembership.objects.public().filter(pk=data["staff"]).first()
            if staff is None:
                raise serializers.ValidationError(
                    {"staff": [_("There is no staff member with that public profile.")]}
                )
        else:
            teams = Team.objects.filter(slug=data["team"], agency__is_published=True)
            if data.get("agency"):
                teams = teams.filter(agency__slug=data["agency"])
            found = list(teams[:2])
            if not found:
                raise serializers.ValidationError({"team": [_("There is no such team.")]})
            if len(found) > 1:
                raise serializers.ValidationError(
                    {"agency": [_("Several agencies have a team of that slug; give “agency”.")]}
                )
            team = found[0]
        try:
            with transaction.atomic():
                thread = actions.start_conversation(
                    by=request.user,
                    staff=staff,
                    team=team,
                    subject=data["subject"],
                    body=data["body"],
                )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        thread = queries.get_visible_conversation(thread.pk, request.user)
        return Response(represent(thread, request), status=status.HTTP_201_CREATED)


class ConversationDetailView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="conversations_retrieve",
        summary="One conversation, with its messages and promises",
        description=(
            "For the citizen who started it and the agency's staff who answer it; everyone "
            "else gets a 404. Reading it as the addressed staff member marks the citizen's "
            "messages read (the citizen sees `read`)."
        ),
        parameters=[CONVERSATION_ID],
        responses={200: ConversationSerializer, 401: NOT_SIGNED_IN, 404: NOT_VISIBLE},
        tags=["conversations"],
    )
    def get(self, request: Request, pk: int) -> Response:
        thread = queries.get_visible_conversation(pk, request.user)
        actions.mark_conversation_read(by=request.user, thread=thread)
        return Response(represent(thread, request))


class ConversationMessagesView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="conversations_messages_create",
        summary="Write in a conversation",
        description=(
            "The citizen writes as themselves; the agency's staff write signed with their "
            "work persona, and may add a `promise` (`text` and `due_at`): a commitment held "
            "by them, made to the citizen, shown with the conversation. The other side is "
            "notified. The same message sent again within a few minutes gives back the "
            "first one."
        ),
        parameters=[CONVERSATION_ID],
        request=ConversationMessageInputSerializer,
        responses={
            201: ConversationMessageSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            403: _error("A citizen tried to make a promise, or you may not write here."),
            404: NOT_VISIBLE,
            413: _error("The request body is too large."),
            415: _error("The body is not JSON."),
        },
        tags=["conversations"],
    )
    def post(self, request: Request, pk: int) -> Response:
        thread = queries.get_visible_conversation(pk, request.user)
        sent = ConversationMessageInputSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        promise = sent.validated_data.get("promise") or {}
        try:
            with transaction.atomic():
                message = actions.reply_in_conversation(
                    by=request.user,
                    thread=thread,
                    body=sent.validated_data["body"],
                    promise=promise.get("text"),
                    promise_due_at=promise.get("due_at"),
                )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        shown = get_object_or_404(
            Message.objects.select_related("author", "persona__agency", "receipt__reader"),
            pk=message.pk,
        )
        shown.thread = thread
        moderation.prepare_messages([shown], user=request.user, thread=thread)
        context = {"request": request, "user": request.user}
        return Response(ConversationMessageSerializer(shown, context=context).data, status=201)
