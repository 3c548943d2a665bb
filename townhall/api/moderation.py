"""Moderation over the REST API: anyone flags a message they may read
(`POST /api/v1/messages/{id}/flags/`); moderators read their queue and hide, restore or
lock under /api/v1/moderation/.

Every write is an action of `townhall.conversations.moderation`. A message the caller may
not read (to flag) or does not moderate (to hide or restore) is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
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
            429: _error("Too many reports from this account in the last hour."),
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
        except moderation.RateLimited as error:
            raise exceptions.Throttled(detail=" ".join(error.messages)) from error
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
    """POST {"reason"}: one moderation use case on a message or a thread the caller
    moderates (404 otherwise). Subclasses are made by `_moderation_view`."""

    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]
    # "message" or "thread": what the use case takes, by that keyword.
    keyword = "message"
    use_case: Callable[..., ModerationEntry]

    def target(self, request: Request, pk: int) -> Any:
        agency_ids = moderation.moderated_agency_ids(request.user)
        if self.keyword == "thread":
            found: Any = Thread.objects.filter(moderation.moderated_scope(agency_ids, "agency"))
        else:
            found = Message.objects.public().filter(moderation.moderated_scope(agency_ids))
        return get_object_or_404(found, pk=pk)

    def respond(self, request: Request, pk: int) -> Response:
        target = self.target(request, pk)
        sent = ReasonSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            entry = type(self).use_case(
                by=request.user, reason=sent.validated_data["reason"], **{self.keyword: target}
            )
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


def _moderation_view(
    name: str, summary: str, use_case: Callable[..., ModerationEntry], *, keyword: str
) -> type[_ModerationActionView]:
    """The view of one moderation use case, documented for the schema."""

    class View(_ModerationActionView):
        @extend_schema(
            operation_id=f"moderation_{name}",
            summary=summary,
            parameters=[THREAD_ID if keyword == "thread" else MESSAGE_ID],
            request=ReasonSerializer,
            responses=_ACTION_RESPONSES,
            tags=["moderation"],
        )
        def post(self, request: Request, pk: int) -> Response:
            return self.respond(request, pk)

    View.keyword = keyword
    View.use_case = staticmethod(use_case)  # type: ignore[assignment]
    View.__name__ = View.__qualname__ = f"{name.title()}View"
    return View


HideView = _moderation_view(
    "hide", "Hide a message with a public reason", moderation.hide_message, keyword="message"
)
RestoreView = _moderation_view(
    "restore",
    "Show a hidden message again, with a public reason",
    moderation.restore_message,
    keyword="message",
)
LockView = _moderation_view(
    "lock",
    "Lock a thread (no new messages), with a public reason",
    moderation.lock_thread,
    keyword="thread",
)
UnlockView = _moderation_view(
    "unlock", "Unlock a thread", moderation.unlock_thread, keyword="thread"
)
