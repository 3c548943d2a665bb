"""/api/v1/notifications/ and /api/v1/follows/: the caller's notifications (read them,
mark them read) and what they follow (follow more, stop following)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from townhall.activity import actions
from townhall.activity.follows import is_following
from townhall.activity.models import Follow, Notification
from townhall.api.pagination import KeysetPagination
from townhall.api.parsers import JSONBodyParser
from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY

from . import targets
from .serializers import (
    FollowInputSerializer,
    FollowSerializer,
    MarkedSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
INVALID = OpenApiResponse(
    ValidationErrorSerializer, description="What you sent is not valid; “errors” says why."
)
NOTIFICATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The notification's id."
)
FOLLOW_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The follow's id."
)
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}


class FollowThrottle(UserRateThrottle):
    """Following is cheap to ask for; a flood of it is someone probing references."""

    scope = "follows"
    rate = "60/min"


class NewestFirst(KeysetPagination):
    ordering = "-id"


def _mine(request: Request) -> Any:
    return Notification.objects.visible_to(request.user)


class NotificationListView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="notifications_list",
        summary="Your notifications",
        description=(
            "What you were told about, newest first, in pages (follow `next`). "
            "`?unread=true` gives only the unread ones, `?unread=false` only the read ones."
        ),
        parameters=[
            OpenApiParameter(
                "unread",
                OpenApiTypes.BOOL,
                OpenApiParameter.QUERY,
                description="true: only unread; false: only read.",
            )
        ],
        responses={200: NotificationSerializer(many=True), 400: INVALID, 401: NOT_SIGNED_IN},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        mine = _mine(request).select_related("activity")
        unread = request.query_params.get("unread")
        if unread is not None:
            word = unread.strip().lower()
            if word in TRUE_WORDS:
                mine = mine.filter(read_at__isnull=True)
            elif word in FALSE_WORDS:
                mine = mine.filter(read_at__isnull=False)
            else:
                raise serializers.ValidationError({"unread": [_("Give true or false.")]})
        paginator = NewestFirst()
        page: list[Notification] | None = paginator.paginate_queryset(mine, request, self)
        data = NotificationSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)


class NotificationReadView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one notification read",
        description="Marking a read notification again changes nothing.",
        parameters=[NOTIFICATION_ID],
        request=None,
        responses={
            200: NotificationSerializer,
            401: NOT_SIGNED_IN,
            404: _error("No notification of yours with this id."),
        },
        tags=["notifications"],
    )
    def post(self, request: Request, pk: int) -> Response:
        if not _mine(request).filter(pk=pk).exists():
            raise Http404
        actions.mark_notifications_read(by=request.user, ids=[pk])
        notification = _mine(request).select_related("activity").get(pk=pk)
        return Response(NotificationSerializer(notification, context={"request": request}).data)


class NotificationReadAllView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="notifications_read_all",
        summary="Mark all your notifications read",
        request=None,
        responses={200: MarkedSerializer, 401: NOT_SIGNED_IN},
        tags=["notifications"],
    )
    def post(self, request: Request) -> Response:
        marked = actions.mark_notifications_read(by=request.user)
        return Response({"marked": marked})


class NotificationUnreadCountView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="notifications_unread_count",
        summary="How many of your notifications are unread",
        responses={200: UnreadCountSerializer, 401: NOT_SIGNED_IN},
        tags=["notifications"],
    )
    def get(self, request: Request) -> Response:
        return Response({"unread": _mine(request).unread().count()})


def _represent(follows: list[Follow], request: Request) -> Any:
    context = {"request": request, "described": targets.describe(follows, request.user)}
    return FollowSerializer(follows, many=True, context=context).data


class FollowListView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    def get_throttles(self) -> list[Any]:
        return [FollowThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="follows_list",
        summary="What you follow",
        description=(
            "The requests, conversations, public discussions and agencies you follow, newest "
            "first, in pages (follow `next`). Something you can no longer see is listed "
            "with an empty `title` and no `url`, so you can still stop following it."
        ),
        responses={200: FollowSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=["follows"],
    )
    def get(self, request: Request) -> Response:
        paginator = NewestFirst()
        page = paginator.paginate_queryset(Follow.objects.visible_to(request.user), request, self)
        return paginator.get_paginated_response(_represent(list(page or []), request))

    @extend_schema(
        operation_id="follows_create",
        summary="Follow a request, a conversation, a public discussion or an agency",
        description=(
            "You are told (in the notification centre, and by email as you chose) when "
            "what you follow changes: a request's status and answers, new messages in a "
            "conversation or discussion, new public discussions at an agency. You can "
            "follow only what you can see; anything else is a 404. Following again "
            "changes nothing (200 instead of 201)."
        ),
        request=FollowInputSerializer,
        responses={
            200: FollowSerializer,
            201: FollowSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            404: _error("Nothing of that kind and id that you may see."),
            415: _error("The body is not JSON."),
            429: _error("Too many follows asked for; wait a minute."),
        },
        tags=["follows"],
    )
    def post(self, request: Request) -> Response:
        sent = FollowInputSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        target = targets.find(
            sent.validated_data["type"], sent.validated_data["id"].strip(), request.user
        )
        already = is_following(request.user, target)
        try:
            follow = actions.follow(by=request.user, target=target)
        except PermissionDenied:
            raise Http404 from None  # what you cannot see does not exist for you
        data = _represent([follow], request)[0]
        return Response(data, status=status.HTTP_200_OK if already else status.HTTP_201_CREATED)


class FollowDetailView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="follows_destroy",
        summary="Stop following",
        parameters=[FOLLOW_ID],
        responses={
            204: None,
            401: NOT_SIGNED_IN,
            404: _error("No follow of yours with this id."),
        },
        tags=["follows"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        if not actions.stop_following(by=request.user, follow_id=pk):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)
