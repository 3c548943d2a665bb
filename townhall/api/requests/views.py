"""Filing and reading service requests: /api/v1/requests/, one request, its files, and
“me too”. Also the pieces the lifecycle endpoints share: errors, the representation."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urljoin

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import memberships_of
from townhall.api.errors import AssuranceRequired
from townhall.api.pagination import KeysetPagination
from townhall.api.parsers import JSONBodyParser
from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY
from townhall.citizens.actions import record_request_read
from townhall.conversations.attachments import attachment_response
from townhall.service_requests import actions, queries
from townhall.service_requests.models import (
    IDEMPOTENCY_KEY_MAX_LENGTH,
    ServiceRequest,
)

from .serializers import (
    RequestFilingSerializer,
    RequestFilterSerializer,
    RequestSerializer,
    RequestSummarySerializer,
    SupportSerializer,
)

IDEMPOTENCY_KEY = re.compile(rf"^[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX_LENGTH}}}\Z")

REFERENCE = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The request's reference, such as SPR-2026-000123.",
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


def _invalid(description: str) -> OpenApiResponse:
    return OpenApiResponse(ValidationErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
NOT_VISIBLE = _error("No request with this reference that you may see.")
REFUSED = _error("You may see this request but not do this to it (it says why).")
INVALID = _invalid("What you sent is not valid, or the request cannot move that way now.")


# --- errors from the actions -----------------------------------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _lazy("This conflicts with something already done.")
    default_code = "conflict"


def _rename(error: DjangoValidationError, names: Mapping[str, str]) -> Any:
    """The action's messages under the API's field names: `names` maps a field, or the
    first part of a dotted one (`answers.size` → `attributes.size`)."""
    if not hasattr(error, "error_dict"):
        return error.messages
    renamed: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        head, dot, rest = field.partition(".")
        name = names.get(field) or (names.get(head, head) + dot + rest)
        if name == "__all__":
            name = "non_field_errors"
        renamed.setdefault(name, []).extend(messages)
    return renamed


@contextmanager
def action_errors(names: Mapping[str, str] | None = None) -> Iterator[None]:
    """Turn an action's ValidationError into a 400 with the API's field names, and say
    how to reach a missing assurance level."""
    try:
        yield
    except actions.AssuranceTooLow as error:
        url = urljoin(settings.SITE_URL, reverse("identity:account"))
        raise AssuranceRequired(
            _("%(message)s You can check your assurance level on your account page: %(url)s")
            % {"message": str(error).rstrip(), "url": url},
            required_level=error.required,
            assurance_url=url,
        ) from error
    except actions.IdempotencyConflict as error:
        raise Conflict(
            _(
                "This Idempotency-Key was already used to file a different request. "
                "Use a new key for a new request."
            )
        ) from error
    except DjangoValidationError as error:
        raise serializers.ValidationError(_rename(error, names or {})) from error


def represent(
    request: ServiceRequest, http_request: Request, *, filed: actions.Filing | None = None
) -> dict[str, Any]:
    """The request whole, as `http_request.user` may see it (a fixed number of queries).

    `filed`: the outcome of this call's own new filing (without files, as the API files),
    whose request, commitments and log entries are in memory: the answer is then built
    without a query, the same as a GET would read it."""
    user = http_request.user
    if filed is not None:
        # The filer is never staff of the agency (filing refuses them), though a site
        # administrator reads everything; the thread is new, with no message or file.
        staff = bool(user.is_superuser)
        request.api_commitments = sorted(  # type: ignore[attr-defined]
            (c for c in filed.commitments if c.is_visible_to(user, is_agency_staff=staff)),
            key=lambda c: (c.made_at, c.due_at, c.pk),
        )
        request.api_timeline = sorted(  # type: ignore[attr-defined]
            (e for e in filed.entries if e.is_visible_to(user, is_agency_staff=staff)),
            key=lambda e: (e.occurred_at, e.pk),
        )
        request.api_messages = request.api_attachments = []  # type: ignore[attr-defined]
    else:
        staff = queries.is_agency_staff(user, request.agency_id)  # asked once, for all four
        # Each query joins what the serializers read (personas with their agencies, authors).
        request.api_commitments, request.api_timeline = queries.commitments_and_timeline(  # type: ignore[attr-defined]
            request, user, is_staff=staff
        )
        request.api_messages = [  # type: ignore[attr-defined]
            m for m in queries.request_messages(request, user, is_staff=staff) if not m.is_internal
        ]
        request.api_attachments = [  # type: ignore[attr-defined]
            a
            for a in queries.request_attachments(request, user, is_staff=staff)
            if a.message_id is None
        ]
    # The timeline names the requester (joined by `get_visible_request`) without a query.
    context = {
        "request": http_request,
        "requester": request.requester,
        "reference": request.reference,
    }
    return RequestSerializer(request, context=context).data  # type: ignore[return-value]


def visible_request(reference: str, user: Any) -> ServiceRequest:
    return queries.get_visible_request(reference, user)


# --- GET and POST /requests/ ------------------------------------------------------------------


# The action's field names, as the API calls them.
FILING_FIELDS = {
    "answers": "attributes",
    "latitude": "location",
    "longitude": "location",
    "address": "location",
    "location": "location",
    "is_public": "public",
    "idempotency_key": "Idempotency-Key",
}


class RequestPagination(KeysetPagination):
    ordering = "-id"  # newest first; ids grow with filing time


class RequestListView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="requests_list",
        summary="Your requests, or a staff queue",
        description=(
            "Without `queue`: the requests you filed, newest first. With `queue` (staff): "
            "the requests of the agencies you work for — mine (held by you), team (your "
            "teams'), unassigned, at_risk (a commitment due within a working day), overdue, "
            "waiting (for the citizen) or all; mine, team and unassigned list open requests "
            "unless `status` says otherwise. Newest first, in pages (follow `next`)."
        ),
        parameters=[RequestFilterSerializer],
        responses={
            200: RequestSummarySerializer(many=True),
            400: _invalid("A filter is not valid; “errors” says which."),
            401: NOT_SIGNED_IN,
            403: _error("A queue was asked for by someone who is not agency staff."),
        },
        tags=["requests"],
    )
    def get(self, request: Request) -> Response:
        query = RequestFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        user = request.user
        requests: QuerySet[ServiceRequest]
        if filters.get("queue"):
            if not (user.is_superuser or memberships_of(user).exists()):
                raise exceptions.PermissionDenied(
                    _("Only agency staff have queues. Leave out “queue” to list your requests.")
                )
            with action_errors():
                requests = queries.inbox_queue(
                    user,
                    filters["queue"],
                    status=filters.get("status") or None,
                    service=filters.get("service") or None,
                    q=filters.get("q", ""),
                )
            if filters.get("team"):
                requests = requests.filter(team__slug=filters["team"])
        else:
            if filters.get("team") or filters.get("q"):
                raise serializers.ValidationError(
                    {"queue": [_("“team” and “q” filter staff queues: give a queue too.")]}
                )
            requests = queries.my_requests(user)
            if filters.get("status"):
                requests = requests.filter(status=filters["status"])
            if filters.get("service"):
                requests = requests.filter(service__code=filters["service"])
        requests = requests.select_related("service", "agency", "team", "assignee")
        paginator = RequestPagination()
        page = paginator.paginate_queryset(requests, request, view=self)
        # A staff queue lists only requests of the caller's agencies: their requester ids
        # are shown without looking the agencies up.
        context = {"request": request, "handled_by_caller": bool(filters.get("queue"))}
        data = RequestSummarySerializer(page, many=True, context=context).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        operation_id="requests_create",
        summary="File a request",
        description=(
            "Files a request of a service in your name. Send an `Idempotency-Key` header "
            "(up to 100 visible ASCII characters, such as a UUID) to retry safely: the same "
            "key with the same content returns the request already filed, without filing it "
            "again; the same key with other content is a 409. Filing needs the service's "
            "assurance level (403 says how to reach it)."
        ),
        request=RequestFilingSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string you choose per request you mean to file.",
            )
        ],
        responses={
            201: RequestSerializer,
            400: _invalid("A field is missing or not valid; “errors” says which and why."),
            401: NOT_SIGNED_IN,
            403: _error("Your assurance level is too low for this service (it says which)."),
            409: _error("The Idempotency-Key was used before, for a different request."),
            413: _error("The request body is too large."),
            415: _error("The body is not JSON."),
        },
        examples=[
            OpenApiExample(
                "A pothole",
                value={
                    "service": "pothole",
                    "description": "Deep pothole outside number 12; cyclists swerve.",
                    "attributes": {"size": "large"},
                    "location": {"lat": 39.7817, "long": -89.6501, "address": "12 Monroe St"},
                    "public": True,
                },
                request_only=True,
            )
        ],
        tags=["requests"],
    )
    def post(self, request: Request) -> Response:
        key = request.headers.get("Idempotency-Key", "")
        if key and not IDEMPOTENCY_KEY.match(key):
            raise serializers.ValidationError(
                {
                    "Idempotency-Key": [
                        _(
                            "An Idempotency-Key is 1 to %(limit)s visible ASCII characters "
                            "(letters, digits, punctuation), such as a UUID."
                        )
                        % {"limit": IDEMPOTENCY_KEY_MAX_LENGTH}
                    ]
                }
            )
        filing = RequestFilingSerializer(data=request.data)
        filing.is_valid(raise_exception=True)
        data = filing.validated_data
        location = data.get("location") or {}
        with action_errors(FILING_FIELDS):
            outcome = actions.file_request_outcome(
                by=request.user,
                service=data["service"],
                description=data["description"],
                answers=data.get("attributes") or {},
                latitude=location.get("lat"),
                longitude=location.get("long"),
                address=location.get("address", ""),
                is_public=data.get("public"),
                idempotency_key=key,
            )
        filed = outcome.request
        if outcome.is_new:
            # Filed by this call: the object holds what the representation reads (service,
            # agency, requester, team), and its thread is new (the API takes no files).
            body = represent(filed, request, filed=outcome)
        else:  # the request filed earlier with this key, as it stands now
            body = represent(visible_request(filed.reference, request.user), request)
        return Response(
            body,
            status=status.HTTP_201_CREATED,
            headers={
                "Location": request.build_absolute_uri(
                    reverse("api:request-detail", kwargs={"reference": filed.reference})
                )
            },
        )


# --- GET /requests/{reference}/ ---------------------------------------------------------------


class RequestDetailView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="requests_retrieve",
        summary="One request, with its commitments and timeline",
        description=(
            "Public requests can be read by anyone; private ones by the requester and the "
            "agency's staff only (everyone else gets a 404). The timeline and commitments "
            "are those the caller may see."
        ),
        parameters=[REFERENCE],
        responses={200: RequestSerializer, 404: NOT_VISIBLE},
        tags=["requests"],
    )
    def get(self, request: Request, reference: str) -> Response:
        found = visible_request(reference, request.user)
        # A staff read of a private request goes into the requester's access log.
        record_request_read(by=request.user, service_request=found)
        return Response(represent(found, request))


# --- files and “me too” ---------------------------------------------------------------------


class AttachmentView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="requests_files_retrieve",
        summary="Download a file of a request",
        description=(
            "For whoever may read the request; files of internal notes for the agency's "
            "staff only. Always a download (`Content-Disposition: attachment`, `nosniff`)."
        ),
        parameters=[
            REFERENCE,
            OpenApiParameter(
                "id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="The file's id, from `attachments`.",
            ),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
            404: NOT_VISIBLE,
        },
        tags=["requests"],
    )
    def get(self, request: Request, reference: str, pk: int) -> Any:
        subject = visible_request(reference, request.user)
        for attachment in queries.request_attachments(subject, request.user):
            if attachment.pk == pk:
                return attachment_response(attachment)
        raise Http404


class SupportView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="requests_support_create",
        summary="Say “me too” to someone else's public request",
        description="You follow it from then on. Saying it twice changes nothing.",
        parameters=[REFERENCE],
        request=None,
        responses={
            200: SupportSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            403: REFUSED,
            404: NOT_VISIBLE,
        },
        tags=["requests"],
    )
    def post(self, request: Request, reference: str) -> Response:
        subject = visible_request(reference, request.user)
        with action_errors():
            actions.support_request(by=request.user, request=subject)
        return self._state(request, subject, supporting=True)

    @extend_schema(
        operation_id="requests_support_destroy",
        summary="Withdraw your “me too”",
        parameters=[REFERENCE],
        responses={
            200: SupportSerializer,
            400: INVALID,
            401: NOT_SIGNED_IN,
            403: REFUSED,
            404: NOT_VISIBLE,
        },
        tags=["requests"],
    )
    def delete(self, request: Request, reference: str) -> Response:
        subject = visible_request(reference, request.user)
        with action_errors():
            actions.withdraw_support(by=request.user, request=subject)
        return self._state(request, subject, supporting=False)

    @staticmethod
    def _state(request: Request, subject: ServiceRequest, *, supporting: bool) -> Response:
        subject.refresh_from_db(fields=["supporter_count"])
        return Response(
            SupportSerializer(
                {"supporting": supporting, "supporter_count": subject.supporter_count}
            ).data
        )
