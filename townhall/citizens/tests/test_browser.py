"""The joined-up view and My government in real Chromium: reason form, record, the
citizen's page with the look logged; zero axe violations in each state."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_open_a_record_with_a_reason_and_the_citizen_sees_the_look(
    browser_page: Any,
    live_server: Any,
    axe_check: Any,
    staff_client_for: Any,
    staff_member: Any,
    citizen: Any,
    pothole_request: Any,
) -> None:
    from townhall.citizens import actions

    actions.add_shared_note(by=staff_member.user, citizen=citizen, body="Prefers email.")
    page = browser_page
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    staff = staff_client_for(staff_member.user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": staff.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page.goto(f"/citizens/{citizen.pk}/?subject={pothole_request.reference}")
    assert page.locator("h1").inner_text() == "Open the record of Alex Park"
    axe_check(page)

    page.get_by_role("button", name="Open the record").click()
    page.get_by_text("Choose why you are opening this record.").first.wait_for(state="visible")
    axe_check(page)

    page.get_by_label("Why are you opening this record?").select_option("answering_request")
    page.get_by_role("button", name="Open the record").click()
    assert page.locator("h1").inner_text() == "Alex Park"
    assert page.get_by_text(pothole_request.reference).first.is_visible()
    axe_check(page)

    page.context.clear_cookies()
    citizen_client = staff_client_for(citizen)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": citizen_client.cookies["sessionid"].value,
                "domain": host,
                "path": "/",
            }
        ]
    )
    page.goto("/my-government/")
    assert page.locator("h1").inner_text() == "My government"
    assert page.get_by_text("Sam Rivera, Public Works, viewed your record on").is_visible()
    axe_check(page)
