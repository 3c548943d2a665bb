"""The public transparency dashboard: /transparency/ (every agency's headline: promises
kept) and /transparency/<agency>/ (its figures by week or month, by service and team,
against its service standards and goals). Read from the rollup rows only (`dashboard.py`),
so each page costs a fixed, small number of queries at any size of city."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import dashboard
from .dashboard_charts import Series, bar_chart, horizontal_bar_chart, line_chart
from .models import RollupPeriod


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    agencies = list(dashboard.published_agencies().order_by("name"))
    rows = dashboard.headlines(agencies)
    chart = horizontal_bar_chart(
        _("Promises kept by agency, last 12 months"),
        _("The share of promises each agency kept, of those kept, broken or renegotiated."),
        [row.agency.name for row in rows],
        [_percent(row.figures.promises_kept_share) for row in rows],
        unit="%",
        top=100,
    )
    return render(
        request,
        "transparency/dashboard/overview.html",
        {"rows": rows, "chart": chart, "window": dashboard.WINDOW},
    )


def _charts(board: dashboard.AgencyDashboard) -> list[dict[str, Any]]:
    labels = [entry.label for entry in board.periods]
    short = [entry.short_label for entry in board.periods]
    figures = [entry.figures for entry in board.periods]
    return [
        {
            "id": "requests",
            "title": _("Requests received and answered"),
            "chart": bar_chart(
                _("Requests received and answered"),
                _(
                    "How many requests were received in each period, and how many of them are answered by now."
                ),
                short,
                [
                    Series(_("Received"), [f.received for f in figures]),
                    Series(_("Answered"), [f.responded for f in figures]),
                ],
            ),
            "columns": [_("Received"), _("Answered"), _("Still open")],
            "rows": [
                (label, [f.received, f.responded, f.open])
                for label, f in zip(labels, figures, strict=True)
            ],
        },
        {
            "id": "promises",
            "title": _("Promises kept"),
            "chart": bar_chart(
                _("Promises kept"),
                _("Of the promises made in each period that have ended, the share kept."),
                short,
                [Series(_("Kept"), [_percent(f.promises_kept_share) for f in figures])],
                unit="%",
                top=100,
            ),
            "columns": [_("Kept"), _("Broken"), _("Renegotiated"), _("Share kept")],
            "rows": [
                (
                    label,
                    [
                        f.commitments_kept,
                        f.commitments_broken,
                        f.commitments_renegotiated,
                        _percent(f.promises_kept_share),
                    ],
                )
                for label, f in zip(labels, figures, strict=True)
            ],
            "percent_last": True,
        },
        {
            "id": "times",
            "title": _("Median hours to acknowledge and to answer"),
            "chart": line_chart(
                _("Median hours to acknowledge and to answer"),
                _(
                    "For the requests received in each period: the median hours until a person first replied, and until the answer."
                ),
                short,
                [
                    Series(_("Acknowledge"), [f.median_hours_to_acknowledge for f in figures]),
                    Series(_("Answer"), [f.median_hours_to_respond for f in figures]),
                ],
            ),
            "columns": [
                _("Median hours to acknowledge"),
                _("90th percentile"),
                _("Median hours to answer"),
                _("90th percentile"),
            ],
            "rows": [
                (
                    label,
                    [
                        f.median_hours_to_acknowledge,
                        f.p90_hours_to_acknowledge,
                        f.median_hours_to_respond,
                        f.p90_hours_to_respond,
                    ],
                )
                for label, f in zip(labels, figures, strict=True)
            ],
            "hours": True,
        },
    ]


@require_safe
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = dashboard.published_agencies().filter(slug=slug).first()
    if agency is None:
        raise Http404(_("No such agency."))
    service = team = None
    if code := request.GET.get("service"):
        service = agency.services.filter(code=code[:64]).first()
        if service is None:
            raise Http404(_("No such service at this agency."))
    if slug_of_team := request.GET.get("team"):
        team = agency.teams.filter(slug=slug_of_team[:80]).first()
        if team is None:
            raise Http404(_("No such team at this agency."))
    board = dashboard.agency_dashboard(
        agency, request.GET.get("period"), service=service, team=team
    )
    return render(
        request,
        "transparency/dashboard/agency.html",
        {
            "agency": agency,
            "board": board,
            "charts": _charts(board),
            "periods": [
                (RollupPeriod.WEEK, _("By week")),
                (RollupPeriod.MONTH, _("By month")),
            ],
            "window": dashboard.WINDOW,
            "scope": urlencode(
                {"service": service.code} if service else {"team": team.slug} if team else {}
            ),
        },
    )
