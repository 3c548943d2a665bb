"""API errors: always JSON `{"detail", "status"}` a person can read, never a 500 for bad input.

Validation errors add `"errors"`: the field names with their messages. Errors outside DRF's
views (an unknown /api/ address, a crash) get the same shape from `townhall.errors`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


class AssuranceRequired(exceptions.PermissionDenied):
    """403 for an action that needs a higher assurance level: the body names the level
    (`required_assurance_level`) and the page where to reach it (`assurance_url`)."""

    def __init__(self, detail: str, *, required_level: str, assurance_url: str) -> None:
        super().__init__(detail)
        self.extra_body = {
            "required_assurance_level": required_level,
            "assurance_url": assurance_url,
        }


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, RequestDataTooBig):  # Django refused to read the body
        exc = RequestTooLarge(
            _("The request body is larger than %(limit)s bytes.")
            % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}
        )
    if isinstance(exc, DataError):
        # The database refused a value (a NUL byte, a number out of range) that got past
        # validation: the client sent something unusable, so say so instead of a 500.
        exc = exceptions.ParseError(_("Some of what you sent cannot be stored or searched for."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("Some of what you sent is not valid; see the fields listed in “errors”."),
            "errors": data if isinstance(data, dict) else {"non_field_errors": data},
        }
    elif isinstance(exc, Http404):  # Django's message names the model: say less
        response.data = {"detail": _("Not found.")}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"])}
    else:
        response.data = {"detail": str(data)}
    response.data.update(getattr(exc, "extra_body", None) or {})
    response.data["status"] = response.status_code
    return response
