"""/api/v1/transparency/agencies/: the public dashboard's figures (`transparency.dashboard`),
read from the rollup rows, so a call costs a few queries at any size of city."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.agencies.models import Agency
from townhall.api.pagination import KeysetPagination
from townhall.api.serializers import ErrorSerializer
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
            "Private requests are counted, never shown one by one."
        ),
        responses={200: DashboardAgencyHeadlineSerializer(many=True)},
        tags=["transparency"],
    )
    def get(self, request: Request) -> Response:
        paginator = BySlug()
        page: list[Agency] = (
            paginator.paginate_queryset(dashboard.published_agencies(), request, self) or []
        )
        data = []
        for headline in dashboard.headlines(page):
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
            "by service and by team, the open requests now by age, and the agency's goals. "
            "`open` is every request of the agency still open now. Shares are 0 to 1, or "
            "null when nothing was counted."
        ),
        parameters=[PERIOD],
        responses={
            200: DashboardAgencySerializer,
            404: OpenApiResponse(ErrorSerializer, description="No published agency by that name."),
        },
        tags=["transparency"],
    )
    def get(self, request: Request, slug: str) -> Response:
        agency = dashboard.published_agencies().filter(slug=slug).first()
        if agency is None:
            raise Http404
        board = dashboard.agency_dashboard(agency, request.query_params.get("period"))
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
                "goals": [{"title": goal.title, "measure": goal.measure} for goal in board.goals],
                "consultations": {
                    **board.consultations.as_dict(),
                    "periods": [
                        {"start": entry.start.isoformat(), **entry.consultations.as_dict()}
                        for entry in board.periods
                    ],
                },
            }
        )
