"""/api/v1/me/export/ (ask for your archive: 202 with a `status_url`), its status (with
`download_url` once ready) and download, and /api/v1/me/erase/ (`{"confirm": true}`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
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
from townhall.privacy import actions
from townhall.privacy.models import ExportJob
from townhall.privacy.views import download_response, own_job

NOT_SIGNED_IN = OpenApiResponse(
    ErrorSerializer, description="No valid token (or session) was sent, or the token was revoked."
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer, description="No export of yours with this token, or it has expired."
)
TOKEN = OpenApiParameter(
    "token", OpenApiTypes.STR, OpenApiParameter.PATH, description="The export's token."
)


class ExportStatusSerializer(serializers.Serializer):
    token = serializers.CharField()
    status = serializers.CharField(help_text="queued, running, ready, failed or expired.")
    progress = serializers.IntegerField(min_value=0, max_value=100)
    status_url = serializers.URLField()
    download_url = serializers.URLField(required=False)
    requested_at = serializers.DateTimeField()
    ready_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    counts = serializers.DictField(child=serializers.IntegerField())


class EraseInputSerializer(serializers.Serializer):
    confirm = serializers.BooleanField(
        help_text="Must be true: erasing cannot be undone.", required=True
    )


class ErasedSerializer(serializers.Serializer):
    erased = serializers.BooleanField()
    pseudonym = serializers.CharField()
    kept_public_requests = serializers.IntegerField()
    kept_private_requests = serializers.IntegerField()
    deleted_private_requests = serializers.IntegerField()
    deleted_conversations = serializers.IntegerField()


def export_data(request: Request, job: ExportJob) -> dict[str, Any]:
    status_value = job.status
    if job.status == "ready" and not job.is_downloadable():
        status_value = "expired"
    data: dict[str, Any] = {
        "token": job.token,
        "status": status_value,
        "progress": job.progress,
        "status_url": request.build_absolute_uri(
            reverse("api:me-export-status", kwargs={"token": job.token})
        ),
        "requested_at": job.created_at,
        "ready_at": job.ready_at,
        "expires_at": job.expires_at,
        "counts": job.counts or {},
    }
    if job.is_downloadable():
        data["download_url"] = request.build_absolute_uri(
            reverse("api:me-export-download", kwargs={"token": job.token})
        )
    return ExportStatusSerializer(data).data  # type: ignore[return-value]


class ExportView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="me_export_create",
        summary="Ask for an archive of your data",
        description=(
            "Starts building a zip of everything held about you (JSON plus your files) in "
            "the background and answers 202 with a `status_url` to poll: it reports "
            "`status` and `progress` (0–100), and a `download_url` once ready (valid for "
            "7 days, only for you). While one is being built, asking again returns it."
        ),
        request=None,
        responses={
            202: ExportStatusSerializer,
            401: NOT_SIGNED_IN,
            429: OpenApiResponse(ErrorSerializer, description="Five archives a day at most."),
        },
    )
    def post(self, request: Request) -> Response:
        try:
            job = actions.request_export(by=request.user)
        except actions.ExportLimitReached as error:
            raise exceptions.Throttled(detail=error.messages[0]) from error
        job.refresh_from_db()
        data = export_data(request, job)
        return Response(
            data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["status_url"]}
        )


class ExportStatusView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="me_export_status",
        summary="How far your archive is",
        parameters=[TOKEN],
        responses={200: ExportStatusSerializer, 401: NOT_SIGNED_IN, 404: NOT_FOUND},
    )
    def get(self, request: Request, token: str) -> Response:
        return Response(export_data(request, own_job(request.user, token)))


class ExportDownloadView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export_download",
        summary="Download your archive",
        parameters=[TOKEN],
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
        },
    )
    def get(self, request: Request, token: str) -> FileResponse:
        return download_response(own_job(request.user, token))


class EraseView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    parser_classes = [JSONBodyParser]

    @extend_schema(
        operation_id="me_erase",
        summary="Erase your account",
        description=(
            'Send `{"confirm": true}`. Your personal data is removed; public records '
            "(FOI requests, public posts and comments) stay under a pseudonym; private "
            "requests are deleted unless their service's retention rule keeps them. Your "
            "tokens stop working. Refused (403, with the reason) for a staff member's work "
            "persona: an administrator must first remove them from their agency."
        ),
        request=EraseInputSerializer,
        responses={
            200: ErasedSerializer,
            400: OpenApiResponse(ValidationErrorSerializer, description="`confirm` is not true."),
            401: NOT_SIGNED_IN,
            403: OpenApiResponse(ErrorSerializer, description="Staff persona: why it is refused."),
        },
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict) or request.data.get("confirm") is not True:
            raise exceptions.ValidationError(
                {"confirm": [_("Send “confirm”: true to erase your account.")]}
            )
        try:
            result = actions.erase_account(by=request.user, confirm=True)
        except actions.ErasureRefused as error:
            raise exceptions.PermissionDenied(error.messages[0]) from error
        except DjangoPermissionDenied as error:  # erased already: the account is gone
            raise Http404(str(error)) from error
        if getattr(request, "_request", None) is not None and hasattr(request._request, "session"):
            logout(request._request)
        return Response(
            ErasedSerializer(
                {
                    "erased": True,
                    "pseudonym": result.pseudonym,
                    "kept_public_requests": result.kept_public_requests,
                    "kept_private_requests": result.kept_private_requests,
                    "deleted_private_requests": result.deleted_private_requests,
                    "deleted_conversations": result.deleted_conversations,
                }
            ).data
        )
