"""The working view of one request: everything staff need to answer it, on one page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from townhall.service_requests import actions

from .conftest_inbox import inbox_url, page_text

pytestmark = pytest.mark.django_db

INTERNAL_LABEL = "Internal note — not shown to the citizen"


def test_working_view_shows_the_request_the_citizen_and_the_answers(
    sam_client: Any, pothole_request: Any
) -> None:
    text = page_text(sam_client.get(inbox_url("request", pothole_request)))

    assert f"{pothole_request.reference}: Report a pothole" in text
    assert "Deep pothole outside number 12" in text
    assert "Filed by Alex Park" in text
    assert "How big is it? Larger" in text  # the answer's name, not its key
    assert "12 Monroe St" in text
    assert "Latitude 39.781700, longitude -89.650100" in text
    assert "alex@example.org" not in text  # the display name only, never the email


def test_working_view_shows_the_full_thread_with_internal_notes_marked(
    sam_client: Any, sam_on_streets: Any, citizen: Any, pothole_request: Any
) -> None:
    actions.reply_to_request(
        by=sam_on_streets.user, request=pothole_request, body="We will look at it **today**."
    )
    actions.add_internal_note(
        by=sam_on_streets.user, request=pothole_request, body="Crew 4 is nearby."
    )
    actions.reply_to_request(by=citizen, request=pothole_request, body="Thank you!")

    response = sam_client.get(inbox_url("request", pothole_request))
    text = page_text(response)

    assert "Sam Rivera, Road Maintenance Supervisor, Public Works" in text
    assert "<strong>today</strong>" in response.content.decode()
    assert f"{INTERNAL_LABEL} Sam Rivera" in text
    assert text.count(INTERNAL_LABEL) == 1
    assert "Crew 4 is nearby." in text
    assert "Alex Park (the citizen)" in text
    # Oldest first.
    assert text.index("today") < text.index("Crew 4") < text.index("Thank you!")


def test_working_view_shows_commitments_with_their_states_and_the_timeline(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.take_request(by=sam_on_streets.user, request=pothole_request)
    actions.reply_to_request(by=sam_on_streets.user, request=pothole_request, body="On it.")

    text = page_text(sam_client.get(inbox_url("request", pothole_request)))

    assert "Acknowledge Kept" in text
    assert "Respond Open" in text
    assert "Sam Rivera, Road Maintenance Supervisor, took this request" in text
    assert "Held by Sam Rivera, Road Maintenance Supervisor (you)" in text


def test_internal_note_entries_of_the_timeline_are_marked_staff_only(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.add_internal_note(
        by=sam_on_streets.user, request=pothole_request, body="Check the drain too."
    )

    response = sam_client.get(inbox_url("request", pothole_request))

    staff_only = [e for e in response.context["timeline"] if e.visibility == "staff"]
    assert staff_only
    assert "Staff only" in page_text(response)


def test_html_and_script_in_the_request_are_shown_as_text(
    sam_client: Any, file_pothole: Any
) -> None:
    sr = file_pothole(
        description='<script>alert("x")</script> <img src=x onerror=alert(1)> hole',
        address="<b>Main</b> St",
    )

    html = sam_client.get(inbox_url("request", sr)).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html
    assert "<b>Main</b>" not in html


def test_script_in_a_reply_is_not_run(
    sam_client: Any, sam_on_streets: Any, citizen: Any, pothole_request: Any
) -> None:
    actions.reply_to_request(
        by=citizen,
        request=pothole_request,
        body="<script>alert(1)</script> [x](javascript:alert(1))",
    )

    html = sam_client.get(inbox_url("request", pothole_request)).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert 'href="javascript:' not in html


def test_reply_is_previewed_with_the_signature_of_the_staff_member(
    sam_client: Any, pothole_request: Any
) -> None:
    text = page_text(sam_client.get(inbox_url("request", pothole_request)))

    assert (
        "Your reply will be signed: Sam Rivera, Road Maintenance Supervisor, Public Works" in text
    )


def test_extension_is_offered_only_for_foi_requests_not_yet_extended(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any, foi_request: Any
) -> None:
    assert "Extend the deadline" not in page_text(
        sam_client.get(inbox_url("request", pothole_request))
    )
    assert "Extend the deadline" in page_text(sam_client.get(inbox_url("request", foi_request)))

    actions.extend_deadline(
        by=sam_on_streets.user, request=foi_request, reason="Records in storage."
    )

    assert "Extend the deadline" not in page_text(sam_client.get(inbox_url("request", foi_request)))


def test_closed_request_offers_no_reply_form_but_still_takes_notes(
    sam_client: Any, sam_on_streets: Any, pothole_request: Any
) -> None:
    actions.close_request(by=sam_on_streets.user, request=pothole_request)

    text = page_text(sam_client.get(inbox_url("request", pothole_request)))

    assert "Send reply" not in text
    assert "Take this request" not in text
    assert "Save the internal note" in text


def test_staff_member_sees_the_assign_form_only_as_a_manager(
    sam_client: Any, staff_client_for: Any, manager: Any, pothole_request: Any
) -> None:
    assign_form = f'action="/inbox/{pothole_request.reference}/assign/"'

    assert assign_form not in sam_client.get(inbox_url("request", pothole_request)).content.decode()
    manager_view = staff_client_for(manager.user).get(inbox_url("request", pothole_request))
    assert assign_form in manager_view.content.decode()


def test_saved_reply_fills_the_reply_without_javascript(
    sam_client: Any, manager: Any, team: Any, pothole_request: Any
) -> None:
    saved = actions.create_saved_reply(
        by=manager.user,
        team=team,
        title="Pothole scheduled",
        body="Thank you. A crew will fill the pothole within 5 working days.",
    )

    plain = sam_client.get(inbox_url("request", pothole_request))
    filled = sam_client.get(inbox_url("request", pothole_request), {"saved": saved.pk})

    assert "Pothole scheduled" in page_text(plain)
    assert plain.context["forms"]["reply"]["body"].value() in (None, "")
    assert (
        filled.context["forms"]["reply"]["body"].value()
        == "Thank you. A crew will fill the pothole within 5 working days."
    )
    assert "A crew will fill the pothole" in filled.content.decode()


def test_saved_reply_of_another_agency_or_nonsense_fills_nothing(
    sam_client: Any, other_agency: Any, site_admin: Any, pothole_request: Any
) -> None:
    from townhall.agencies import actions as agency_actions

    parks = agency_actions.create_team(by=site_admin, agency=other_agency, name="Rangers")
    foreign = actions.create_saved_reply(by=site_admin, team=parks, title="Parks", body="Parks!")

    for value in [str(foreign.pk), "abc", "99999999999999999999999", "\x00", "1 OR 1=1"]:
        response = sam_client.get(inbox_url("request", pothole_request), {"saved": value})
        assert response.status_code == 200, value
        assert response.context["forms"]["reply"]["body"].value() in (None, ""), value


def test_working_view_costs_a_fixed_number_of_queries(
    sam_client: Any,
    sam_on_streets: Any,
    citizen: Any,
    pothole_request: Any,
    django_assert_max_num_queries: Any,
) -> None:
    def load() -> None:
        assert sam_client.get(inbox_url("request", pothole_request)).status_code == 200

    actions.reply_to_request(by=sam_on_streets.user, request=pothole_request, body="First reply")
    load()  # warm caches (content types, sessions)
    # 19 for the page, 6 for the entry in the citizen's access log (a private request).
    with django_assert_max_num_queries(25) as small:
        load()
    for number in range(15):
        actions.reply_to_request(
            by=sam_on_streets.user, request=pothole_request, body=f"Reply {number}"
        )
        actions.add_internal_note(
            by=sam_on_streets.user, request=pothole_request, body=f"Note {number}"
        )
        actions.reply_to_request(
            by=sam_on_streets.user,
            request=pothole_request,
            body=f"Promise {number}",
            promise=f"I will call you ({number})",
            promise_due_at=timezone.now() + dt.timedelta(days=10 + number),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        load()
