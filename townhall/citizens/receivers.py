"""What this app does when a lower layer says something happened (lower apps cannot
import this one, so they send a signal and `apps.ready` connects these)."""

from __future__ import annotations

from typing import Any

from . import actions


def log_staff_read_of_private_request(
    sender: Any, *, user: Any, service_request: Any, **kwargs: Any
) -> None:
    """A staff page (or the API) showed a private request: log it in its requester's
    access log (`actions.record_request_read`; nothing for public requests, the requester
    or people who are not its agency's staff)."""
    actions.record_request_read(by=user, service_request=service_request)
