"""REST API endpoints under /api/v1/. They read through querysets and write through actions."""

from __future__ import annotations

from typing import Any, NoReturn

from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from townhall.agencies.models import Agency, Service, ServiceAttribute, StaffMembership
from townhall.agencies.second_factor import requires_second_factor
from townhall.identity.actions import issue_api_token, revoke_api_token
from townhall.identity.models import ApiToken, User

from . import throttling
from .pagination import KeysetPagination
from .parsers import JSONBodyParser
from .serializers import (
    AccountSerializer,
    AgencySerializer,
    ApiTokenSerializer,
    ErrorSerializer,
    IssuedTokenSerializer,
    ServiceFilterSerializer,
    ServiceSerializer,
    TokenRequestSerializer,
    ValidationErrorSerializer,
)

# The API speaks JSON only; people browse it through the Swagger UI at /api/v1/docs/.
JSON_ONLY = [JSONRenderer]


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


NOT_SIGNED_IN = _error("No valid token (or session) was sent, or the token was revoked.")
NOT_FOUND = _error("There is nothing at this address that you may see.")


# --- tokens --------------------------------------------------------------------------------


class WrongCredentials(exceptions.APIException):
    """400, as OAuth's token endpoint answers a wrong password: there is nothing to
    authenticate *to* here (a 401 would need a WWW-Authenticate scheme this URL lacks)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _lazy("That email address and password do not match an account.")
    default_code = "wrong_credentials"


class TokenCreateView(APIView):
    """Exchange an email address and password for a new API token."""

    authentication_classes: list[Any] = []  # credentials are in the body
    permission_classes = [AllowAny]
    parser_classes = [JSONBodyParser]
    renderer_classes = JSON_ONLY
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        raise exceptions.Throttled(
            wait=wait,
            detail=_(
                "Too many requests for a token from your address. Wait a minute, then try again."
            ),
        )

    @extend_schema(
        operation_id="auth_token_create",
        summary="Get an API token with your email address and password",
        description=(
            "Returns a new token; send it as `Authorization: Bearer <token>`. The key is shown "
            "only in this response. The email address must be verified. Staff accounts must "
            "use a second factor, so they create tokens on their account page instead (403). "
            "Five wrong passwords for one address in five minutes lock it for five minutes (429)."
        ),
        request=TokenRequestSerializer,
        responses={
            201: IssuedTokenSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description="A field is missing or malformed (with “errors”), or the email "
                "address and password do not match an account (without).",
            ),
            403: _error("The email address is not verified, or the account is a staff account."),
            413: _error("The request body is too large."),
            415: _error("The body is not JSON."),
            429: _error("Too many attempts."),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email: str = serializer.validated_data["email"].strip().lower()
        password: str = serializer.validated_data["password"]
        throttling.raise_if_too_many_failures(email)
        user = authenticate(request._request, email=email, password=password)
        if user is None:
            throttling.record_failure(email)
            raise WrongCredentials()
        throttling.clear_failures(email)
        if not EmailAddress.objects.filter(user=user, verified=True).exists():
            raise exceptions.PermissionDenied(
                _(
                    "Your email address is not verified yet. Open the link in the email we "
                    "sent you, then ask for a token again."
                )
            )
        if requires_second_factor(user):
            raise exceptions.PermissionDenied(
                _(
                    "Staff accounts cannot get a token with a password alone. Sign in on the "
                    "website with your second factor, then create a token on your account "
                    "page: %(url)s"
                )
                % {"url": request.build_absolute_uri(reverse("tokens:token-list"))}
            )
        token, key = issue_api_token(
            by=user,
            user=user,
            name=serializer.validated_data["name"] or _("API token"),
            via="password",
        )
        data = IssuedTokenSerializer(
            {
                "token": key,
                "id": token.pk,
                "name": token.name,
                "prefix": token.prefix,
                "created_at": token.created_at,
            }
        ).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Cache-Control": "no-store"})


@extend_schema_view(
    get=extend_schema(
        operation_id="auth_tokens_list",
        summary="List your API tokens",
        description="Your tokens, newest first. Keys are never shown again after issue.",
        responses={200: ApiTokenSerializer(many=True), 401: NOT_SIGNED_IN},
        tags=["auth"],
    )
)
class TokenListView(generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    serializer_class = ApiTokenSerializer
    pagination_class = KeysetPagination

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.visible_to(self.request.user)


class TokenRevokeView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="auth_tokens_revoke",
        summary="Revoke one of your API tokens",
        description="The token stops working at once. Revoking it again changes nothing.",
        responses={
            204: OpenApiResponse(description="Revoked."),
            401: NOT_SIGNED_IN,
            404: NOT_FOUND,
        },
        tags=["auth"],
    )
    def delete(self, request: Request, pk: int) -> Response:
        token = get_object_or_404(
            ApiToken.objects.visible_to(request.user).select_related("user"), pk=pk
        )
        revoke_api_token(by=request.user, token=token)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the caller's account ------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="me_retrieve",
        summary="Your own account",
        description="Your account, with your active staff memberships (work personas).",
        responses={200: AccountSerializer, 401: NOT_SIGNED_IN},
        tags=["account"],
    )
)
class AccountView(generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_ONLY
    serializer_class = AccountSerializer

    def get_object(self) -> User:
        memberships = StaffMembership.objects.active().select_related("agency")
        accounts = User.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("staff_memberships", queryset=memberships, to_attr="active_memberships")
        )
        return get_object_or_404(accounts, pk=self.request.user.pk)


# --- the API's front door ------------------------------------------------------------------

# What the index lists: name → URL name (all under /api/v1/ but the Open311 discovery).
INDEX = {
    "docs": "api:docs",
    "schema": "api:schema",
    "token": "api:token-create",
    "me": "api:me",
    "agencies": "api:agency-list",
    "services": "api:service-list",
    "requests": "api:request-list",
    "conversations": "api:conversation-list",
    "discussions": "api:discussion-list",
    "consultations": "api:consultation-list",
    "notifications": "api:notification-list",
    "transparency": "api:transparency-agency-list",
    "calendar_due": "api:calendar-due",
}


class IndexView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="api_index",
        summary="Where to start",
        description=(
            "The API's entry points as absolute addresses: the documentation and OpenAPI "
            "schema, how to get a token, and each collection; `open311` is the Open311 "
            "GeoReport v2 discovery document. Anyone may read it."
        ),
        responses={
            200: OpenApiResponse(description="Names and addresses of the API's entry points.")
        },
        tags=["account"],
    )
    def get(self, request: Request) -> Response:
        links = {name: request.build_absolute_uri(reverse(url)) for name, url in INDEX.items()}
        links["open311"] = request.build_absolute_uri(
            reverse("open311:discovery", kwargs={"fmt": "json"})
        )
        return Response({"version": "v1", "links": links})


# --- agencies ------------------------------------------------------------------------------


class AgencyPagination(KeysetPagination):
    ordering = "slug"


@extend_schema_view(
    list=extend_schema(
        operation_id="agencies_list",
        summary="Published agencies",
        description="Every published agency with its goals, teams, public staff and services, "
        "ordered by slug.",
        tags=["agencies"],
    ),
    retrieve=extend_schema(
        operation_id="agencies_retrieve",
        summary="One published agency",
        responses={200: AgencySerializer, 404: NOT_FOUND},
        tags=["agencies"],
    ),
)
class AgencyViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY
    serializer_class = AgencySerializer
    pagination_class = AgencyPagination
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Agency]:
        public_staff = StaffMembership.objects.public().order_by("public_name", "pk")
        offered_services = Service.objects.filter(is_active=True).order_by("name", "pk")
        return (
            Agency.objects.published()
            .select_related("parent")
            .prefetch_related(
                "goals",
                "teams",
                Prefetch("memberships", queryset=public_staff, to_attr="public_staff"),
                Prefetch("services", queryset=offered_services, to_attr="offered_services"),
            )
        )


# --- services ------------------------------------------------------------------------------


class ServicePagination(KeysetPagination):
    ordering = "code"


@extend_schema_view(
    list=extend_schema(
        operation_id="services_list",
        summary="Services you can file a request for",
        description=(
            "Every service offered by a published agency, ordered by code, with its standard "
            "(in working days), who may file it, whether requests are public, and the "
            "questions it asks in the shape of Open311 attributes."
        ),
        parameters=[ServiceFilterSerializer],
        responses={
            200: ServiceSerializer(many=True),
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description="A filter is not valid; “errors” says which and why.",
            ),
        },
        auth=[],
        tags=["services"],
    ),
    retrieve=extend_schema(
        operation_id="services_retrieve",
        summary="One service, by its code",
        responses={200: ServiceSerializer, 404: NOT_FOUND},
        auth=[],
        tags=["services"],
    ),
)
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY
    serializer_class = ServiceSerializer
    pagination_class = ServicePagination
    lookup_field = "code"

    def get_queryset(self) -> QuerySet[Service]:
        questions = ServiceAttribute.objects.order_by("order", "pk")
        return (
            Service.objects.active()
            .select_related("agency")
            .prefetch_related(Prefetch("attributes", queryset=questions))
        )

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.action != "list":
            return queryset
        query = ServiceFilterSerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        slug, kind = query.validated_data.get("agency"), query.validated_data.get("kind")
        if slug:
            if not Agency.objects.published().filter(slug=slug).exists():
                raise exceptions.ValidationError(
                    {"agency": [_("No published agency has the slug “%(slug)s”.") % {"slug": slug}]}
                )
            queryset = queryset.filter(agency__slug=slug)
        if kind:
            queryset = queryset.filter(kind=kind)
        return queryset
