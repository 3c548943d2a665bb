"""GET /healthz: the database and the task queue, for load balancers and people on call."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.utils import timezone
from django_tasks import task

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
        "ENQUEUE_ON_COMMIT": False,
    }
}


@task()
def send_a_reminder(name: str) -> str:
    return f"Reminder for {name}"


def test_healthy_site_answers_200_with_database_and_queue_state(
    client: Client, db: Any, settings: Any
) -> None:
    settings.TASKS_BACKEND = "immediate"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "tasks": {"backend": "immediate", "status": "ok"},
    }


def test_unreachable_database_answers_503(client: Client, db: Any) -> None:
    failing = mock.patch.object(
        type(connections["default"]),
        "cursor",
        side_effect=OperationalError("could not connect to server"),
    )
    with failing:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "error": "OperationalError",
    }
    assert "could not connect" not in response.content.decode()  # no internals leak


def test_database_queue_reports_waiting_and_failed_tasks(
    client: Client, db: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_QUEUE  # django-tasks rebuilds its backends on this change
    settings.TASKS_BACKEND = "database"
    send_a_reminder.enqueue("Alex")
    send_a_reminder.enqueue("Bea")
    send_a_reminder.using(run_after=timezone.now() + timedelta(hours=1)).enqueue("Later")
    # a worker claims one of the waiting tasks and it fails, as db_worker records it
    crashed = DBTaskResult.objects.ready().get(args_kwargs__args=["Bea"])
    crashed.claim("worker-1")
    crashed.set_failed(RuntimeError("mail server down"))
    DBTaskResult.objects.filter(args_kwargs__args=["Alex"]).update(
        enqueued_at=timezone.now() - timedelta(minutes=2)
    )

    tasks = client.get("/healthz").json()["tasks"]
    assert tasks["backend"] == "database"
    assert tasks["status"] == "ok"
    assert tasks["ready"] == 1  # Alex; "Later" is not due yet
    assert tasks["running"] == 0
    assert tasks["failed"] == 1
    assert 119 <= tasks["oldest_ready_age_seconds"] < 180


def test_an_empty_database_queue_is_healthy(client: Client, db: Any, settings: Any) -> None:
    settings.TASKS = DATABASE_QUEUE
    settings.TASKS_BACKEND = "database"
    tasks = client.get("/healthz").json()["tasks"]
    assert tasks == {
        "backend": "database",
        "ready": 0,
        "oldest_ready_age_seconds": 0,
        "running": 0,
        "failed": 0,
        "status": "ok",
    }


def test_a_broken_queue_is_reported_without_hiding_that_the_site_is_up(
    client: Client, db: Any, settings: Any
) -> None:
    settings.TASKS_BACKEND = "database"
    with mock.patch(
        "django_tasks_db.models.DBTaskResultQuerySet.ready", side_effect=RuntimeError("boom")
    ):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["tasks"] == {
        "backend": "database",
        "status": "error",
        "error": "RuntimeError",
    }


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_health_check_only_answers_get_and_head(client: Client, db: Any, method: str) -> None:
    assert getattr(client, method)("/healthz").status_code == 405


def test_health_check_answers_head_for_load_balancers(client: Client, db: Any) -> None:
    assert client.head("/healthz").status_code == 200
