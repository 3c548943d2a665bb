"""The draft's history: its versions with a readable difference between each version and
the one before, and the proposed amendments, each shown as a difference from its
section."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import queries
from .diffs import compare_sections, word_diff
from .models import ConsultationVersion


@require_http_methods(["GET", "HEAD"])
def version_list(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    return render(
        request,
        "consultations/version_list.html",
        {"consultation": consultation, "versions": queries.versions_of(consultation)},
    )


@require_http_methods(["GET", "HEAD"])
def version_diff(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Version `number` compared with the one before it."""
    consultation = queries.get_visible_consultation(pk, request.user)
    versions = {
        v.number: v
        for v in ConsultationVersion.objects.filter(
            consultation=consultation, number__in=[number, number - 1]
        ).select_related("published_by")
    }
    if number not in versions or number - 1 not in versions:
        raise Http404
    new, old = versions[number], versions[number - 1]
    return render(
        request,
        "consultations/version_diff.html",
        {
            "consultation": consultation,
            "old": old,
            "new": new,
            "changes": compare_sections(queries.sections_of(old), queries.sections_of(new)),
        },
    )


@require_http_methods(["GET", "HEAD"])
def amendment_list(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = queries.get_visible_consultation(pk, request.user)
    amendments = queries.amendments_of(consultation)
    for amendment in amendments:
        amendment.diff = word_diff(amendment.section.body, amendment.text)  # type: ignore[attr-defined]
    return render(
        request,
        "consultations/amendment_list.html",
        {"consultation": consultation, "amendments": amendments},
    )
