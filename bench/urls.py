"""The site's URLs plus the baseline the benchmarks compare pages with: a minimal Django
view that reads one row by primary key (`/bench/one-row/?id=123`), through the same
middleware as every page."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from townhall.service_requests.models import ServiceRequest
from townhall.urls import handler400, handler403, handler404, handler500


def one_row(request: HttpRequest) -> HttpResponse:
    try:
        pk = int(request.GET.get("id", "1"))
    except ValueError:
        pk = 1
    row = ServiceRequest.objects.filter(pk=pk).first()
    text = f"{row.reference} {row.status}" if row is not None else "none"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/one-row/", one_row, name="bench-one-row"),
    path("", include("townhall.urls")),
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
