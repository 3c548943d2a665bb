"""GET /api/v1/citizens/{id}/timeline/ (staff: the joined-up view), GET /api/v1/me/timeline/
and GET /api/v1/me/access-log/ (the caller's own).

Pages are cut by a keyset cursor (follow `next`); their cost does not grow with depth.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY
from townhall.citizens import actions, queries
from townhall.citizens.models import AccessReason, Screen

from .serializers import (
    AccessLogEntrySerializer,
    AccessLogPageSerializer,
    CitizenTimelineEntrySerializer,
    CitizenTimelinePageSerializer,
)


class ReasonRequired(serializers.ValidationError):
    """400 naming the reasons a staff member may give (`allowed_reasons`)."""

    def __init__(self, detail: Any) -> None:
        super().__init__(detail)
        self.extra_body = {"allowed_reasons": list(AccessReason.values)}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def _query(name: str, description: str, kind: Any = OpenApiTypes.STR) -> OpenApiParameter:
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, description=description)


FILTERS = [
    _query("channel", "Only one kind of record: " + ", ".join(queries.CHANNELS) + "."),
    _query("agency", "Only one agency's records, by its short name (slug)."),
    _query("cursor", "The position of a page, from the previous page's `next`."),
    _query("page_size", "How many records a page holds (1 to 100; 25).", OpenApiTypes.INT),
]
NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
INVALID = OpenApiResponse(
    ValidationErrorSerializer,
    description="A filter or the cursor is not valid; “errors” says which.",
)


def _next_url(request: Request, cursor: str) -> str | None:
    if not cursor:
        return None
    params = request.query_params.copy()
    params["cursor"] = cursor
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def _timeline_response(request: Request, citizen: Any, **scope: Any) -> Response:
    params = request.query_params
    try:
        page = queries.timeline(
            request.user,
            citizen,
            channel=params.get("channel", ""),
            agency=params.get("agency", ""),
            cursor=params.get("cursor", ""),
            size=queries.page_size_from(params.get("page_size")),
            **scope,
        )
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from error
    data = CitizenTimelineEntrySerializer(page.items, many=True).data
    return Response(
        {"next": _next_url(request, page.next_cursor), "previous": None, "results": data}
    )


class CitizenTimelineView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="citizens_timeline",
        summary="A citizen's joined-up timeline (staff)",
        description=(
            "Everything of one citizen you may see as active agency staff, newest first: "
            "requests, conversations, discussion posts, consultation comments, promises "
            "made to them, notes staff shared. Your agency's records in full, other "
            "agencies' public ones, and their private ones only where the citizen joined "
            "up their records. The citizen `id` is the `requester_id` of the requests you "
            "handle. Every call is logged and the citizen sees it (your work name, agency, "
            "reason). The first call of the day about a citizen needs `reason`; without it "
            "(or with an unknown one) the answer is a 400 listing `allowed_reasons`. "
            "Anyone who is not active staff gets a 404."
        ),
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The citizen's id."
            ),
            _query("reason", "Why you open the record: " + ", ".join(AccessReason.values) + "."),
            _query(
                "subject",
                "The reference of the request it is about (logged; anything else is left out).",
            ),
            *FILTERS,
        ],
        responses={
            200: CitizenTimelinePageSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description="No or an unknown `reason` (with `allowed_reasons`), or a bad filter.",
            ),
            401: NOT_SIGNED_IN,
            404: _error("No such citizen, or you are not active agency staff."),
        },
        tags=["citizens"],
    )
    def get(self, request: Request, pk: int) -> Response:
        user = request.user
        if not queries.is_active_staff(user):
            raise Http404
        citizen = get_user_model()._default_manager.filter(pk=pk).first()
        if citizen is None:
            raise Http404
        try:
            actions.record_access(
                by=user,
                citizen=citizen,
                screen=Screen.API_TIMELINE,
                reason=str(request.query_params.get("reason", ""))[:64],
                subject=str(request.query_params.get("subject", "")),
            )
        except DjangoValidationError as error:
            raise ReasonRequired(error.message_dict) from error
        except DjangoPermissionDenied:
            raise Http404 from None
        return _timeline_response(request, citizen)


class MyTimelineView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="me_timeline",
        summary="Your own timeline",
        description=(
            "Everything of yours, newest first: your requests (with their status and when "
            "the answer is due), conversations, discussion posts, consultation comments, "
            "the promises made to you (open, kept, broken...) and notes staff shared about "
            "you."
        ),
        parameters=FILTERS,
        responses={200: CitizenTimelinePageSerializer, 400: INVALID, 401: NOT_SIGNED_IN},
        tags=["citizens"],
    )
    def get(self, request: Request) -> Response:
        return _timeline_response(request, request.user)


class MyAccessLogView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="me_access_log",
        summary="Who looked at your record",
        description=(
            "Every time a staff member opened your record (the joined-up view, a private "
            "request of yours, this API) and every identity check made in person, newest "
            "first: their work name, agency, when, and the reason they gave."
        ),
        parameters=FILTERS[2:],
        responses={200: AccessLogPageSerializer, 400: INVALID, 401: NOT_SIGNED_IN},
        tags=["citizens"],
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        try:
            page = queries.access_log(
                request.user,
                cursor=params.get("cursor", ""),
                size=queries.page_size_from(params.get("page_size")),
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        data = AccessLogEntrySerializer(page.items, many=True).data
        return Response(
            {"next": _next_url(request, page.next_cursor), "previous": None, "results": data}
        )


__all__ = ["CitizenTimelineView", "MyAccessLogView", "MyTimelineView"]
