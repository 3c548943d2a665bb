"""Writes of the transparency app: recording open-data builds."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .datasets import DATASETS
from .models import DatasetBuild


def can_rebuild_open_data(user: Any) -> bool:
    """Site administrators may ask for a rebuild at any time."""
    return bool(user is not None and user.is_authenticated and user.is_superuser)


@transaction.atomic
def build_open_data() -> list[DatasetBuild]:
    """Count each dataset's rows and record the build (run by the `build_open_data` task,
    nightly and on demand). The downloads stream live, so a build writes no files: it
    refreshes the row counts and the `modified` time of the catalogue. Idempotent: a second
    run records a second, equally true build."""
    builds = []
    for dataset in DATASETS.values():
        started = time.perf_counter()
        rows = dataset.count()
        builds.append(
            DatasetBuild(
                dataset=dataset.identifier,
                built_at=timezone.now(),
                row_count=rows,
                duration=timedelta(seconds=time.perf_counter() - started),
            )
        )
    return DatasetBuild.objects.bulk_create(builds)


def start_open_data_build(*, by: Any) -> None:
    """A site administrator asks for the catalogue to be rebuilt now (queued)."""
    if not can_rebuild_open_data(by):
        raise PermissionDenied("Only site administrators may rebuild the open data.")
    from .tasks import build_open_data as build_task  # the task calls back into this module

    transaction.on_commit(build_task.enqueue)
