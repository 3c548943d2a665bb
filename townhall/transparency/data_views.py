"""Open data: the catalogue page (/data/), each dataset's schema page, the streamed CSV
and JSON downloads, and the DCAT-US 1.1 catalogue at /data.json (Project Open Data).

Downloads stream live from the database (`datasets.py`); the catalogue's row counts and
`modified` times come from the last build (`actions.build_open_data`)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import actions
from .datasets import DATASETS, Dataset
from .models import DatasetBuild

MEDIA_TYPES = {"csv": "text/csv", "json": "application/json"}


def _dataset(identifier: str) -> Dataset:
    try:
        return DATASETS[identifier]
    except KeyError:
        raise Http404(_("No such dataset.")) from None


def _latest_builds() -> dict[str, DatasetBuild]:
    return {build.dataset: build for build in DatasetBuild.objects.latest_per_dataset()}


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    builds = _latest_builds()
    entries = [(dataset, builds.get(dataset.identifier)) for dataset in DATASETS.values()]
    return render(
        request,
        "transparency/dataset_list.html",
        {
            "entries": entries,
            "license_url": settings.OPEN_DATA_LICENSE,
            "can_rebuild": actions.can_rebuild_open_data(request.user),
        },
    )


@require_POST
@login_required
def rebuild(request: HttpRequest) -> HttpResponse:
    actions.start_open_data_build(by=request.user)  # PermissionDenied → 403
    messages.success(request, _("Rebuild started"))
    return redirect("open_data:dataset-list")


@require_safe
def schema(request: HttpRequest, identifier: str) -> HttpResponse:
    dataset = _dataset(identifier)
    return render(
        request,
        "transparency/dataset_schema.html",
        {"dataset": dataset, "license_url": settings.OPEN_DATA_LICENSE},
    )


class _Echo:
    """A file-like object whose write returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(dataset: Dataset) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(dataset.column_names)
    for row in dataset.rows():
        yield writer.writerow(["" if value is None else value for value in row])


def _json_items(dataset: Dataset) -> Iterator[str]:
    yield "["
    names = dataset.column_names
    separator = "\n"
    for row in dataset.rows():
        yield separator + json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False)
        separator = ",\n"
    yield "\n]\n"


@require_safe
def download(request: HttpRequest, identifier: str, fmt: str) -> HttpResponseBase:
    dataset = _dataset(identifier)
    lines = _csv_lines(dataset) if fmt == "csv" else _json_items(dataset)
    content_type = MEDIA_TYPES[fmt] + "; charset=utf-8"
    response = StreamingHttpResponse(lines, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{dataset.identifier}.{fmt}"'
    return response


def _modified(build: DatasetBuild | None) -> str:
    when = build.built_at if build is not None else timezone.now()
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def _dcat_dataset(request: HttpRequest, dataset: Dataset, build: DatasetBuild | None) -> Any:
    def url(name: str, **kwargs: str) -> str:
        return request.build_absolute_uri(reverse(f"open_data:{name}", kwargs=kwargs))

    schema_url = url("dataset-schema", identifier=dataset.identifier)
    entry: dict[str, Any] = {
        "@type": "dcat:Dataset",
        "title": str(dataset.title),
        "description": str(dataset.description),
        "keyword": list(dataset.keywords),
        "modified": _modified(build),
        "publisher": {"@type": "org:Organization", "name": settings.SITE_NAME},
        "contactPoint": {
            "@type": "vcard:Contact",
            "fn": settings.SITE_NAME,
            "hasEmail": f"mailto:{settings.OPEN_DATA_CONTACT_EMAIL}",
        },
        "identifier": f"{url('dataset-list')}#{dataset.identifier}",
        "accessLevel": "public",
        "license": settings.OPEN_DATA_LICENSE,
        "accrualPeriodicity": "R/P1D",
        "landingPage": url("dataset-list"),
        "describedBy": schema_url,
        "describedByType": "text/html",
        "distribution": [
            {
                "@type": "dcat:Distribution",
                "title": fmt.upper(),
                "downloadURL": url("dataset-download", identifier=dataset.identifier, fmt=fmt),
                "mediaType": media_type,
                "format": fmt.upper(),
                "describedBy": schema_url,
                "describedByType": "text/html",
            }
            for fmt, media_type in MEDIA_TYPES.items()
        ],
    }
    if dataset.spatial:
        south, west, north, east = settings.SERVICE_AREA
        entry["spatial"] = f"{west},{south},{east},{north}"
    return entry


@require_safe
def catalog_json(request: HttpRequest) -> JsonResponse:
    builds = _latest_builds()
    catalog = {
        "@context": "https://project-open-data.cio.gov/v1.1/schema/catalog.jsonld",
        "@id": request.build_absolute_uri(reverse("open_data:catalog")),
        "@type": "dcat:Catalog",
        "conformsTo": "https://project-open-data.cio.gov/v1.1/schema",
        "describedBy": "https://project-open-data.cio.gov/v1.1/schema/catalog.json",
        "dataset": [
            _dcat_dataset(request, dataset, builds.get(dataset.identifier))
            for dataset in DATASETS.values()
        ],
    }
    return JsonResponse(catalog, json_dumps_params={"ensure_ascii": False})
