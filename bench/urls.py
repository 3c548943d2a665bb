"""The site's URLs plus the baselines the benchmarks compare pages with, through the same
middleware as every page:

- `/bench/one-row/?id=123`: a minimal Django view that reads one row by primary key and
  answers in plain text (the issue's baseline);
- `/bench/layout/?id=123`: the same row shown in the site's layout (`base.html`, with its
  context processors): the least any HTML page of the site costs, so a page's distance
  from the baseline can be split into "being a page of the site" and its own work.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from townhall.service_requests.models import ServiceRequest
from townhall.urls import handler400, handler403, handler404, handler500


def _row(request: HttpRequest) -> ServiceRequest | None:
    try:
        pk = int(request.GET.get("id", "1"))
    except ValueError:
        pk = 1
    return ServiceRequest.objects.filter(pk=pk).first()


def one_row(request: HttpRequest) -> HttpResponse:
    row = _row(request)
    text = f"{row.reference} {row.status}" if row is not None else "none"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


_LAYOUT = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}{{ row.reference }}{% endblock %}'
    '{% block content %}<h1>{{ row.reference|default:"none" }}</h1>'
    "<p>{{ row.get_status_display }}</p>{% endblock %}"
)


def layout(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_LAYOUT.render({"row": _row(request)}, request))


urlpatterns = [
    path("bench/one-row/", one_row, name="bench-one-row"),
    path("bench/layout/", layout, name="bench-layout"),
    path("", include("townhall.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
