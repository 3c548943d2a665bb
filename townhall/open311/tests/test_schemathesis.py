"""Schemathesis over `openapi.yaml`, in-process against the WSGI application: no 5xx,
every status, content type and JSON body as described.

Kept fast in the suite (OPEN311_FUZZ_EXAMPLES per operation, default 25, seven
operations). The full run of at least 2,000 calls is documented in CONTRIBUTING.md:

    OPEN311_FUZZ_EXAMPLES=300 .venv/bin/pytest -p no:randomly townhall/open311/tests/test_schemathesis.py
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .conftest import KEY

EXAMPLES = int(os.environ.get("OPEN311_FUZZ_EXAMPLES", "25"))
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "openapi.yaml"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_path(str(SCHEMA_PATH))
calls: list[int] = []


@pytest.fixture
def wsgi_app(
    application: Any, pothole_service: Any, file_pothole: Any, staff_member: Any
) -> Iterator[Any]:
    """The WSGI application over the test database, with a public request to read. As
    Django's test client does, the per-request connection handling is switched off so
    the calls run inside the test's transaction."""
    from townhall.service_requests.actions import take_request

    take_request(by=staff_member.user, request=file_pothole(is_public=True))
    file_pothole(is_public=False, description="A private one, never listed")
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_open311_conforms_to_its_openapi_description(case: Any, wsgi_app: Any) -> None:
    if case.method == "POST" and isinstance(case.body, dict):
        case.body["api_key"] = KEY  # a wrong key is tested on its own; here reach further
    calls.append(1)
    case.call_and_validate(app=wsgi_app, checks=CHECKS)
