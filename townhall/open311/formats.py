"""Open311's two wire formats. The views build plain data (dicts, lists, strings,
numbers, booleans, None); this module writes it as JSON or as the specification's XML.

JSON drops the XML root: a list is sent as a top-level array, a single object (the
service definition, discovery) as an object. In XML a list is a root element holding one
child per item, named as the specification names it (`services`/`service`,
`service_requests`/`request`, `errors`/`error`, ...).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

JSON = "json"
XML = "xml"
FORMATS = (JSON, XML)
CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    XML: "text/xml; charset=utf-8",
}
# Characters XML 1.0 cannot carry at all; they are dropped from XML answers.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# The element of each item of a list, by the list's element.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ElementTree.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        child_name = ITEM_NAMES.get(element.tag, "item")
        for item in value:
            _fill(ElementTree.SubElement(element, child_name), item)
    else:
        element.text = _text(value)


def to_xml(payload: Any, root: str) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, payload)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        element, encoding="unicode"
    ).encode("utf-8")


def to_json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, default=_json_default).encode("utf-8")


def respond(payload: Any, fmt: str, *, root: str, status: int = 200) -> HttpResponse:
    """`payload` as an HTTP response in `fmt` (`json` or `xml`); `root` is the XML root."""
    body = to_xml(payload, root) if fmt == XML else to_json(payload)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The specification's error list: `[{code, description}, ...]`."""
    payload = [{"code": status, "description": description} for description in descriptions]
    return respond(payload, fmt, root="errors", status=status)
