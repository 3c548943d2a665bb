"""The open-data catalogue and a dataset's columns page in real Chromium, with zero axe
violations."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_a_dataset_and_its_columns(foi_request, browser_page, axe_check):
    from townhall.transparency.actions import build_open_data

    build_open_data()
    browser_page.goto("/")
    browser_page.get_by_role("link", name="Open data").click()
    assert browser_page.locator("h1").inner_text() == "Open data"
    assert browser_page.locator("#service-requests + p").is_visible()
    axe_check(browser_page)

    browser_page.get_by_role("link", name="Columns of Public service requests").click()
    assert browser_page.locator("h1").inner_text() == "Columns of Public service requests"
    assert browser_page.get_by_role("rowheader", name="respond_state").is_visible()
    axe_check(browser_page)
