"""Fixtures of the conversation tests: a thread, and a media folder of the test's own
(nothing is written under var/). Files to upload are built in `sample_files.py`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from townhall.conversations.models import Thread, ThreadKind


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    yield root


@pytest.fixture
def thread(agency: Any) -> Thread:
    return Thread.objects.create(kind=ThreadKind.REQUEST, agency=agency, title="Pothole")
