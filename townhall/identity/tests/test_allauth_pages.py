"""allauth's pages render inside Townhall's layout with US Web Design System markup."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from .allauth_pages import PAGES

pytestmark = pytest.mark.django_db

INPUT = re.compile(r"<(input|select|textarea)\b[^>]*>")


@pytest.mark.parametrize("page", PAGES)
def test_allauth_page_uses_the_site_layout_and_uswds_markup(
    client: Client, make_user: Any, page: str
) -> None:
    path = PAGES[page](client, make_user)

    response = client.get(path)

    assert response.status_code == 200, (page, path)
    html = response.content.decode()
    assert "usa-header" in html  # inside base.html
    assert re.search(rf"<title>\s*\S.*· {settings.SITE_NAME}</title>", html, re.S), page
    assert html.count("<h1") == 1
    assert "<script>" not in html  # the content security policy forbids inline scripts
    for tag in INPUT.finditer(html):
        element = tag.group(0)
        if 'type="hidden"' in element or 'id="language-switch"' in element:
            continue
        assert 'class="usa-' in element, (page, element)
        field_id = re.search(r'id="([^"]+)"', element)
        assert field_id, (page, element)
        assert f'for="{field_id.group(1)}"' in html, (page, element)
    for button in re.findall(r"<button\b[^>]*>", html):
        assert "usa-button" in button or "usa-menu-btn" in button or "usa-nav__close" in button, (
            page,
            button,
        )


def test_security_key_names_are_shown_as_text(client: Client, make_user: Any) -> None:
    path = PAGES["security keys"](client, make_user)

    html = client.get(path).content.decode()

    assert "Blue &lt;b&gt;key&lt;/b&gt;" in html
    assert '<th scope="col">' in html


def test_field_errors_sit_next_to_the_field_on_allauth_forms(
    client: Client, make_user: Any
) -> None:
    path = PAGES["change password"](client, make_user)

    response = client.post(
        path, {"oldpassword": "wrong", "password1": "short", "password2": "other"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "usa-alert--error" in html
    for field in ["oldpassword", "password1"]:
        assert f'id="id_{field}_error"' in html, field
        assert f'href="#id_{field}"' in html, field
    assert html.count("usa-form-group--error") == 2
    assert 'id="id_password2_error"' not in html
