"""JSON bodies, refused with a 400 rather than a 500 however they are broken.

DRF's JSONParser turns a ValueError into a 400, but `json` raises RecursionError on deeply
nested arrays (a few kilobytes of "[[[[" suffice), which would escape as a 500. The size of
a body is limited before parsing: Django refuses more than DATA_UPLOAD_MAX_MEMORY_SIZE, and
`townhall.api.errors` answers that with a 413.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser, get_encoding  # type: ignore[attr-defined]
from rest_framework.utils import json


class JSONBodyParser(JSONParser):
    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        encoding = get_encoding(parser_context or {})  # refuses unknown and non-text codecs
        try:
            return json.loads(stream.read().decode(encoding))
        except (ValueError, RecursionError) as error:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s") % {"error": str(error)[:200]}
            ) from error
