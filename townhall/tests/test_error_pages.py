"""Error pages: JSON under /api/ (with DEBUG off, as in production), HTML pages elsewhere."""

from typing import Any
from unittest import mock

from django.test import Client

from townhall.api import views as api_views


def test_unknown_api_address_gets_a_json_404(client: Client, settings: Any, db: Any) -> None:
    settings.DEBUG = False
    response = client.get("/api/v1/whatever")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "We could not find the page you were looking for.",
        "status": 404,
    }


def test_unknown_page_gets_the_sites_html_404(client: Client, settings: Any, db: Any) -> None:
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "<h1>Page not found</h1>" in html
    assert "Go to the home page" in html


def test_a_crash_in_the_api_is_a_json_500_without_details(settings: Any, db: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    with mock.patch.object(
        api_views.AgencyViewSet, "list", side_effect=RuntimeError("secret internals")
    ):
        response = client.get("/api/v1/agencies/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again later.",
        "status": 500,
    }
    assert b"secret internals" not in response.content


def test_a_crash_on_a_page_is_the_sites_html_500(settings: Any, citizen: Any) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(citizen)
    with mock.patch("townhall.api.pages.ApiToken.objects.visible_to", side_effect=RuntimeError):
        response = client.get("/account/tokens/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
