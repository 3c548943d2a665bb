"""Open data of a consultation: its public comments, supports and amendments as CSV and
JSON (display names only, never an email address), and its summary page: participation
by day and by section as SVG charts with the figures in tables, and the most discussed
passages."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import queries
from .charts import bar_chart

SERIES_COLOURS = ("#005ea2", "#00a91c", "#d54309")


def _filename(pk: int, extension: str) -> str:
    return f'attachment; filename="consultation-{pk}.{extension}"'


@require_http_methods(["GET", "HEAD"])
def export_json(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    data = {
        "consultation": {
            "id": consultation.pk,
            "title": consultation.title,
            "agency": consultation.agency.name,
            "opens_at": consultation.opens_at.isoformat(),
            "closes_at": consultation.closes_at.isoformat(),
        },
        **queries.export_rows(consultation),
    }
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = _filename(consultation.pk, "json")
    return response


def _cell(value: object) -> object:
    """Spreadsheets run a cell starting with = + - @ as a formula: keep it text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@require_http_methods(["GET", "HEAD"])
def export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """One table: a row per comment, support or amendment (`kind` says which)."""
    consultation = queries.get_visible_consultation(pk, request.user)
    rows = queries.export_rows(consultation)
    out = io.StringIO()
    writer = csv.writer(out)
    # For an answer, `text` holds the answer and `section` the question.
    columns = [
        "kind",
        "id",
        "created_at",
        "author",
        "version",
        "section",
        "passage",
        "reply_to",
        "stance",
        "text",
        "reason",
        "theme",
        "outcome",
        "response",
    ]
    writer.writerow(columns)
    for item in rows["comments"]:
        writer.writerow(
            [
                _cell(v)
                for v in [
                    "comment",
                    item["id"],
                    item["created_at"],
                    item["author"],
                    item["version"],
                    item["section"],
                    item["passage"],
                    item["reply_to"] or "",
                    "",
                    item["body"],
                    "",
                    item["theme"],
                    "",
                    "",
                ]
            ]
        )
    for item in rows["supports"]:
        writer.writerow(
            [
                _cell(v)
                for v in [
                    "support",
                    "",
                    item["created_at"],
                    item["author"],
                    item["version"],
                    item["section"],
                    "",
                    "",
                    item["stance"],
                    "",
                    item["reason"],
                    "",
                    "",
                    "",
                ]
            ]
        )
    for item in rows["answers"]:
        writer.writerow(
            [
                _cell(v)
                for v in [
                    "answer",
                    "",
                    item["answered_at"],
                    item["author"],
                    "",
                    item["question"],
                    "",
                    "",
                    "",
                    item["answer"],
                    "",
                    "",
                    "",
                    "",
                ]
            ]
        )
    for item in rows["amendments"]:
        writer.writerow(
            [
                _cell(v)
                for v in [
                    "amendment",
                    item["id"],
                    item["created_at"],
                    item["author"],
                    item["version"],
                    item["section"],
                    "",
                    "",
                    "",
                    item["text"],
                    item["reason"],
                    "",
                    item["outcome"],
                    item["response"],
                ]
            ]
        )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _filename(consultation.pk, "csv")
    return response


@require_http_methods(["GET", "HEAD"])
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    sections = queries.current_sections(consultation)
    # Whole-consultation aggregates read every comment: computed at most every few minutes.
    figures: Any = cache.get_or_set(
        f"consultations:summary:{consultation.pk}",
        lambda: (
            queries.participation_by_day(consultation),
            queries.most_discussed_passages(consultation),
        ),
        queries.SUMMARY_CACHE_SECONDS,
    )
    by_day, passages = figures
    section_chart = bar_chart(
        [(s.heading, (s.comment_count, s.support_count, s.oppose_count)) for s in sections],  # type: ignore[attr-defined]
        SERIES_COLOURS,
    )
    day_chart = bar_chart(
        [(day.isoformat(), (comments, supports)) for day, comments, supports in by_day],
        SERIES_COLOURS,
    )
    return render(
        request,
        "consultations/consultation_summary.html",
        {
            "consultation": consultation,
            "sections": sections,
            "by_day": by_day,
            "section_chart": section_chart,
            "day_chart": day_chart,
            "passages": passages,
            "cache_minutes": queries.SUMMARY_CACHE_SECONDS // 60,
            "legend": [
                (SERIES_COLOURS[0], _("Comments")),
                (SERIES_COLOURS[1], _("Supports")),
                (SERIES_COLOURS[2], _("Oppositions")),
            ],
        },
    )
