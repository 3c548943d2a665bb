"""Helpers of the citizen page tests (imported by the test_citizen_* modules).

`file_through_pages` files a request the way a browser does: it reads the hidden fields
each step's page carries and sends them back with what the person types on that step.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

from django.urls import reverse

from townhall.agencies import actions as agency_actions

POTHOLE_DETAILS = {
    "description": "Deep pothole outside number 12, cyclists swerve around it.",
    "answer_size": "large",
    "visibility": "public",
}
POTHOLE_LOCATION = {"address": "12 Monroe St", "latitude": "39.7817", "longitude": "-89.6501"}


def file_url(service: Any) -> str:
    return reverse("requests:request-file", kwargs={"code": service.code})


def status_url(service_request: Any) -> str:
    return reverse("requests:request-detail", kwargs={"reference": service_request.reference})


def page_text(response: Any) -> str:
    """The text of the page's <main>, tags removed and whitespace collapsed."""
    body = response.content.decode()
    if "<main" in body:
        body = body[body.index("<main") : body.index("</main>")]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"</?(?:time|a|span|strong|em|code)\b[^>]*>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


class _Forms(HTMLParser):
    """The forms of a page: for each, its id, action and (name, value) of its inputs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._current = {
                "id": attributes.get("id") or "",
                "action": attributes.get("action") or "",
                "hidden": [],
                "inputs": [],
            }
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None:
            name = attributes.get("name")
            if not name:
                return
            pair = (name, attributes.get("value") or "")
            if attributes.get("type") == "hidden":
                self._current["hidden"].append(pair)
            else:
                self._current["inputs"].append((name, attributes))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_of(response: Any) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(response.content.decode())
    return parser.forms


def filing_form(response: Any, form_id: str = "") -> dict[str, Any]:
    """The filing form of a step page (not the language switcher, not the change form)."""
    for form in forms_of(response):
        if "/requests/new/" in form["action"] and form["id"] == form_id:
            return form
    raise AssertionError("No filing form on the page:\n" + page_text(response)[:2000])


def hidden_data(response: Any, form_id: str = "") -> dict[str, Any]:
    """The hidden fields of the filing form, as a dict of lists (ready to post)."""
    data: dict[str, list[str]] = {}
    for name, value in filing_form(response, form_id)["hidden"]:
        if name == "csrfmiddlewaretoken":
            continue
        data.setdefault(name, []).append(value)
    return data


def step_of(response: Any) -> str:
    return hidden_data(response)["step"][0]


def post_step(
    client: Any, service: Any, response: Any, typed: dict[str, Any], nav: str = "continue"
) -> Any:
    """Send the step shown in `response` with what the person typed on it."""
    data: dict[str, Any] = hidden_data(response)
    data.update(typed)
    data["nav"] = nav
    return client.post(file_url(service), data)


def file_through_pages(
    client: Any,
    service: Any,
    details: dict[str, Any] | None = None,
    location: dict[str, Any] | None = None,
    files: list[Any] | None = None,
) -> Any:
    """Go through every step and send. Returns the last response (not followed)."""
    page = client.get(file_url(service))
    assert page.status_code == 200, page_text(page)[:500]
    page = post_step(client, service, page, details if details is not None else POTHOLE_DETAILS)
    assert page.status_code == 200, page_text(page)[:500]
    if step_of(page) == "location":
        page = post_step(
            client, service, page, location if location is not None else POTHOLE_LOCATION
        )
        assert page.status_code == 200, page_text(page)[:500]
    assert step_of(page) == "review", page_text(page)[:2000]
    typed: dict[str, Any] = {"attachments": files} if files else {}
    return post_step(client, service, page, typed, nav="send")


def question_service(agency: Any, site_admin: Any, **extra: Any) -> Any:
    """ "Ask a question": no location, private by default."""
    fields: dict[str, Any] = {
        "code": "ask-public-works",
        "name": "Ask Public Works a question",
        "kind": "question",
        "acknowledge_working_days": 1,
        "respond_working_days": 5,
    }
    fields.update(extra)
    return agency_actions.add_service(by=site_admin, agency=agency, **fields)
