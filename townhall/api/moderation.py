"""Moderation over the REST API: anyone flags a message they may read
(`POST /api/v1/messages/{id}/flags/`); moderators read their queue and hide, restore or
lock under /api/v1/moderation/.

Every write is an action of `townhall.conversations.moderation`. A message the caller may
not read (to flag) or does not moderate (to hide or restore) is a 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.api.parsers import JSONBodyParser
from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY
from townhall.conversations import moderation
from townhall.conversations.models import Message, Thread
from townhall.conversations.moderation_models import Flag, FlagCategory, ModerationEntry
from townhall.conversations.moderation_queries import moderation_queue


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
INVALID = OpenApiResponse(
    ValidationErrorSerializer, description="What you sent is not valid; “errors” says why."
)
MESSAGE_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The message's id."
)
THREAD_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The thread's id."
)


def _invalid(error: DjangoValidationError) -> serializers.ValidationError:
    if not hasattr(error, "error_dict"):
        return serializers.ValidationError({"non_field_errors": error.messages})
    return serializers.ValidationError(error.message_dict)


# --- wire formats -----------------------------------------------------------------------


class FlagInputSerializer(serializers.Serializer):
    # Emptiness and length are the action's to judge, with the same words as the pages.
    reason = serializers.CharField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=gettext_lazy("What is wrong with the message (read by moderators only)."),
    )
    category = serializers.ChoiceField(
        choices=FlagCategory.choices,
        default=FlagCategory.OTHER,
        help_text=gettext_lazy("The kind of problem."),
    )


class FlagSerializer(serializers.ModelSerializer):
    message = serializers.IntegerField(source="message_id", read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "message", "category", "reason", "state", "created_at"]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True,
        required=False,
        default="",
        trim_whitespace=False,
        help_text=gettext_lazy("The public reason (required to hide, restore and lock)."),
    )


class ModerationEntrySerializer(serializers.ModelSerializer):
    thread = serializers.IntegerField(source="thread_id", read_only=True)
    message = serializers.IntegerField(source="message_id", read_only=True, allow_null=True)
    moderator = serializers.CharField(source="moderator_name", read_only=True)

    class Meta:
        model = ModerationEntry
        fields = ["id", "action", "thread", "message", "moderator", "reason", "created_at"]
        read_only_fields = fields


class QueueFlagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Flag
        fields = ["id", "category", "reason", "created_at"]
        read_only_fields = fields


class QueueMessageSerializer(serializers.ModelSerializer):
    thread = serializers.IntegerField(source="thread_id", read_only=True)
    author = serializers.SerializerMethodField()
    flags = QueueFlagSerializer(source="open_flags", many=True, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "thread", "author", "body", "created_at", "flags"]
        read_only_fields = fields

    def get_author(self, message: Message) -> str:
        if message.persona is not None:
            return message.persona.public_name
        return str(message.author.display_name)


# --- views --------------------------------------------------------------------------------


class MessageFlagsView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="messages_flags_create",
        summary="Report a message to the moderators",
        description=(
            "Anyone signed in who may read a message (in a conversation or a public "
            "discussion) and did not write it may flag it once, with a `reason` and "
            "optionally a `category`. Nothing waits for approval: moderators look at flags "
            "afterwards and may hide the message with a public reason."
        ),
        parameters=[MESSAGE_ID],
        request=FlagInputSerializer,
        responses={
            201: FlagSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: _error("No message with this id that you may read."),
            415: _error("The body is not JSON."),
        },
        tags=["moderation"],
    )
    def post(self, request: Request, pk: int) -> Response:
        message = get_object_or_404(moderation.flaggable_messages(request.user), pk=pk)
        sent = FlagInputSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            flag = moderation.flag_message(
                by=request.user,
                message=message,
                reason=sent.validated_data["reason"],
                category=sent.validated_data["category"],
            )
        except DjangoValidationError as error:
            raise _invalid(error) from error
        except PermissionDenied as error:
            raise exceptions.NotFound() from error
        return Response(FlagSerializer(flag).data, status=status.HTTP_201_CREATED)


class ModerationQueueView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="moderation_queue",
        summary="Messages waiting for a moderator",
        description=(
            "For moderators: the messages of the agencies you moderate (all, for site-wide "
            "moderators) with open flags, oldest flag first, at most 50."
        ),
        responses={
            200: QueueMessageSerializer(many=True),
            401: NOT_SIGNED_IN,
            403: _error("You moderate nothing."),
        },
        tags=["moderation"],
    )
    def get(self, request: Request) -> Response:
        if not moderation.is_moderator(request.user):
            raise exceptions.PermissionDenied(_("Only moderators can see the moderation queue."))
        flagged = moderation_queue(request.user).flagged
        return Response(QueueMessageSerializer(flagged, many=True).data)


class _ModerationActionView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    def act(self, request: Request, target: Any, reason: str) -> ModerationEntry:
        raise NotImplementedError

    def target(self, request: Request, pk: int) -> Any:
        agency_ids = moderation.moderated_agency_ids(request.user)
        return get_object_or_404(
            Message.objects.public().filter(moderation.moderated_scope(agency_ids)), pk=pk
        )

    def post(self, request: Request, pk: int) -> Response:
        target = self.target(request, pk)
        sent = ReasonSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            entry = self.act(request, target, sent.validated_data["reason"])
        except DjangoValidationError as error:
            raise _invalid(error) from error
        except PermissionDenied as error:
            raise exceptions.PermissionDenied(str(error)) from error
        return Response(ModerationEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


_ACTION_RESPONSES = {
    201: ModerationEntrySerializer,
    400: INVALID,
    401: NOT_SIGNED_IN,
    404: _error("Nothing with this id that you moderate."),
    415: _error("The body is not JSON."),
}


class HideView(_ModerationActionView):
    @extend_schema(
        operation_id="moderation_hide",
        summary="Hide a message with a public reason",
        parameters=[MESSAGE_ID],
        request=ReasonSerializer,
        responses=_ACTION_RESPONSES,
        tags=["moderation"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, target: Any, reason: str) -> ModerationEntry:
        return moderation.hide_message(by=request.user, message=target, reason=reason)


class RestoreView(_ModerationActionView):
    @extend_schema(
        operation_id="moderation_restore",
        summary="Show a hidden message again, with a public reason",
        parameters=[MESSAGE_ID],
        request=ReasonSerializer,
        responses=_ACTION_RESPONSES,
        tags=["moderation"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, target: Any, reason: str) -> ModerationEntry:
        return moderation.restore_message(by=request.user, message=target, reason=reason)


class _ThreadActionView(_ModerationActionView):
    def target(self, request: Request, pk: int) -> Any:
        agency_ids = moderation.moderated_agency_ids(request.user)
        return get_object_or_404(
            Thread.objects.filter(moderation.moderated_scope(agency_ids, "agency")), pk=pk
        )


class LockView(_ThreadActionView):
    @extend_schema(
        operation_id="moderation_lock",
        summary="Lock a thread (no new messages), with a public reason",
        parameters=[THREAD_ID],
        request=ReasonSerializer,
        responses=_ACTION_RESPONSES,
        tags=["moderation"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, target: Any, reason: str) -> ModerationEntry:
        return moderation.lock_thread(by=request.user, thread=target, reason=reason)


class UnlockView(_ThreadActionView):
    @extend_schema(
        operation_id="moderation_unlock",
        summary="Unlock a thread",
        parameters=[THREAD_ID],
        request=ReasonSerializer,
        responses=_ACTION_RESPONSES,
        tags=["moderation"],
    )
    def post(self, request: Request, pk: int) -> Response:
        return super().post(request, pk)

    def act(self, request: Request, target: Any, reason: str) -> ModerationEntry:
        return moderation.unlock_thread(by=request.user, thread=target, reason=reason)
