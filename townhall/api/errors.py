"""API errors: always JSON with a `detail` a person can read, never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": "Some of what you sent is not valid; see the fields listed in “errors”.",
            "errors": data,
        }
    elif isinstance(exc, Http404) or response.status_code == status.HTTP_404_NOT_FOUND:
        response.data = {"detail": "Not found."}
    elif isinstance(data, dict) and "detail" in data:
        response.data = {"detail": str(data["detail"])}
    response.data["status"] = response.status_code
    return response
