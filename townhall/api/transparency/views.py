"""/api/v1/transparency/agencies/: the public dashboard's figures (`transparency.dashboard`),
read from the rollup rows, so a call costs a few queries at any size of city."""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import Agency, Service, Team
from townhall.api.pagination import KeysetPagination
from townhall.api.serializers import ErrorSerializer, ValidationErrorSerializer
from townhall.api.views import JSON_ONLY
from townhall.transparency import dashboard

from .serializers import DashboardAgencyHeadlineSerializer, DashboardAgencySerializer

PERIOD = OpenApiParameter(
    "period",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    enum=list(dashboard.PERIODS),
    description=(
        "`week` (the last 12 weeks) or `month` (the last 12 months, the default). "
        "Anything else gives the default."
    ),
)


SERVICE = OpenApiParameter(
    "service",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Only one service's figures, by its code (as in /api/v1/services/).",
)
TEAM = OpenApiParameter(
    "team",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description=(
        "Only one team's figures, by its short name (slug) or its id. On the list, a short "
        "name matches the team of that name at each agency."
    ),
)
UNKNOWN_FILTER = OpenApiResponse(
    ValidationErrorSerializer,
    description="No service or team by that name; “errors” says which.",
)
FILTER_VALUE = re.compile(r"^[-a-zA-Z0-9_]{1,80}\Z")


def _filter_value(request: Request, name: str) -> str:
    return str(request.query_params.get(name, "")).strip()


def _service_of(request: Request, agency: Agency | None) -> Service | None:
    """The service of `?service=` (at `agency`, if given), None without one, 400 for an
    unknown code: one query."""
    code = _filter_value(request, "service")
    if not code:
        return None
    found = None
    if FILTER_VALUE.match(code) and len(code) <= 64:
        services = Service.objects.filter(agency__is_published=True, code=code)
        if agency is not None:
            services = services.filter(agency=agency)
        found = services.first()
    if found is None:
        raise serializers.ValidationError(
            {
                "service": [
                    _("This agency has no service with that code.")
                    if agency is not None
                    else _("There is no service with that code.")
                ]
            }
        )
    return found


def _teams_of(request: Request, agency: Agency | None) -> list[Team] | None:
    """The teams of `?team=` (a short name, or an id; at `agency`, if given), None without
    one, 400 when none matches: one query. A short name wins over an id."""
    value = _filter_value(request, "team")
    if not value:
        return None
    found: list[Team] = []
    if FILTER_VALUE.match(value):
        rule = Q(slug=value)
        if value.isdigit() and len(value) <= 18:
            rule |= Q(pk=int(value))
        teams: QuerySet[Team] = Team.objects.filter(rule, agency__is_published=True)
        if agency is not None:
            teams = teams.filter(agency=agency)
        found = list(teams.order_by("agency_id", "pk")[:1000])
        by_slug = [team for team in found if team.slug == value]
        found = by_slug or found
    if not found:
        raise serializers.ValidationError(
            {
                "team": [
                    _("This agency has no team with that short name or id.")
                    if agency is not None
                    else _("There is no team with that short name or id.")
                ]
            }
        )
    return found


class BySlug(KeysetPagination):
    ordering = "slug"


def _agency_links(request: Request, agency: Agency) -> dict[str, str]:
    return {
        "slug": agency.slug,
        "name": agency.name,
        "url": request.build_absolute_uri(
            reverse("api:transparency-agency-detail", kwargs={"slug": agency.slug})
        ),
        "dashboard_url": request.build_absolute_uri(
            reverse("dashboard:agency-detail", kwargs={"slug": agency.slug})
        ),
    }


class AgencyFiguresListView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="transparency_agencies_list",
        summary="Every agency's headline figures",
        description=(
            "Each published agency, by short name, with its figures over the last 12 "
            "months (requests received and answered, promises kept, broken and "
            "renegotiated, the share kept, FOI deadlines met) and its open requests now. "
            "Private requests are counted, never shown one by one. With `service` or `team`, "
            "only the agencies offering that service or having that team, with its figures."
        ),
        parameters=[SERVICE, TEAM],
        responses={200: DashboardAgencyHeadlineSerializer(many=True), 400: UNKNOWN_FILTER},
        tags=["transparency"],
    )
    def get(self, request: Request) -> Response:
        service = _service_of(request, None)
        teams = _teams_of(request, None)
        agencies = dashboard.published_agencies()
        if service is not None:
            agencies = agencies.filter(pk=service.agency_id)
        if teams is not None:
            agencies = agencies.filter(pk__in={team.agency_id for team in teams})
        paginator = BySlug()
        page: list[Agency] = paginator.paginate_queryset(agencies, request, self) or []
        data = []
        for headline in dashboard.headlines(
            page,
            service_ids=None if service is None else [service.pk],
            team_ids=None if teams is None else [team.pk for team in teams],
        ):
            figures = headline.figures
            data.append(
                {
                    "agency": _agency_links(request, headline.agency),
                    "received": figures.received,
                    "answered": figures.responded,
                    "open": headline.backlog.open,
                    "commitments_kept": figures.commitments_kept,
                    "commitments_broken": figures.commitments_broken,
                    "commitments_renegotiated": figures.commitments_renegotiated,
                    "promises_kept_share": figures.as_dict()["promises_kept_share"],
                    "foi_on_time_share": figures.as_dict()["foi_on_time_share"],
                }
            )
        return paginator.get_paginated_response(data)


class AgencyFiguresView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="transparency_agencies_retrieve",
        summary="One agency's dashboard figures",
        description=(
            "The agency's figures over the last 12 weeks or months (`period`): requests "
            "received in that time and what has happened to them, median and 90th-percentile "
            "hours to acknowledge and to answer (estimated from hour bands), promises made "
            "in that time and how they ended, FOI deadlines met; then the same by period, "
            "by service and by team, the open requests now by age, and the agency's goals: "
            "a goal with a `metric` and a `target` gives its `actual` figure in that time "
            "and whether it is `met` (null: not enough data yet). "
            "`open` is every request of the agency still open now. Shares are 0 to 1 (a "
            "goal's target and actual figure are in percent), or null when nothing was "
            "counted. With `service` or `team`, the request figures (and `open`, and the "
            "goals' actual figures) are that service's or team's only."
        ),
        parameters=[PERIOD, SERVICE, TEAM],
        responses={
            200: DashboardAgencySerializer,
            400: UNKNOWN_FILTER,
            404: OpenApiResponse(ErrorSerializer, description="No published agency by that name."),
        },
        tags=["transparency"],
    )
    def get(self, request: Request, slug: str) -> Response:
        agency = dashboard.published_agencies().filter(slug=slug).first()
        if agency is None:
            raise Http404
        service = _service_of(request, agency)
        teams = _teams_of(request, agency)
        board = dashboard.agency_dashboard(
            agency,
            request.query_params.get("period"),
            service=service,
            team=teams[0] if teams else None,
        )
        figures = board.total.as_dict()
        figures["open_received_in_window"] = figures.pop("open")
        return Response(
            {
                "agency": _agency_links(request, agency),
                "period": board.period,
                "since": board.since.isoformat(),
                "until": board.until.isoformat(),
                **figures,
                "open": board.backlog.open,
                "backlog": {
                    "open": board.backlog.open,
                    "median_age_days": board.backlog.median_age_days,
                    "by_age": board.backlog.bands,
                },
                "periods": [
                    {"start": entry.start.isoformat(), **entry.figures.as_dict()}
                    for entry in board.periods
                ],
                "services": [
                    {
                        "code": service.code if service else None,
                        "name": service.name if service else None,
                        **figures_of.as_dict(),
                    }
                    for service, figures_of in board.by_service
                ],
                "teams": [
                    {
                        "slug": team.slug if team else None,
                        "name": team.name if team else None,
                        **figures_of.as_dict(),
                    }
                    for team, figures_of in board.by_team
                ],
                "goals": [
                    {
                        "title": entry.goal.title,
                        "measure": entry.goal.measure,
                        "metric": entry.goal.metric or None,
                        "target": None if entry.goal.target is None else float(entry.goal.target),
                        "actual": entry.actual,
                        "met": entry.met,
                    }
                    for entry in board.goal_progress
                ],
                "consultations": {
                    **board.consultations.as_dict(),
                    "periods": [
                        {"start": entry.start.isoformat(), **entry.consultations.as_dict()}
                        for entry in board.periods
                    ],
                },
            }
        )
