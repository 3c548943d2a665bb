"""`GET /healthz`: is the database reachable, and how is the task queue doing?"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def _database_state() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _task_queue_state() -> dict[str, Any]:
    state: dict[str, Any] = {"backend": settings.TASKS_BACKEND}
    if settings.TASKS_BACKEND == "database":
        from django_tasks_db.models import DBTaskResult

        # ready(): waiting and due now (a task scheduled for later is not late yet).
        waiting = DBTaskResult.objects.ready()
        state["ready"] = waiting.count()
        oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        state["oldest_ready_age_seconds"] = (
            round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0
        )
        state["running"] = DBTaskResult.objects.running().count()
        state["failed"] = DBTaskResult.objects.failed().count()
    state["status"] = "ok"
    return state


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        database = _database_state()
    except DatabaseError as error:
        return JsonResponse(
            {"status": "unavailable", "database": "unreachable", "error": type(error).__name__},
            status=503,
        )
    try:
        tasks = _task_queue_state()
    except Exception as error:  # a broken queue should not hide that the site is up
        tasks = {
            "backend": settings.TASKS_BACKEND,
            "status": "error",
            "error": type(error).__name__,
        }
    return JsonResponse({"status": "ok", "database": database, "tasks": tasks})
