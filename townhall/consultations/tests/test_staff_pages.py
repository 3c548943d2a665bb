"""Staff write drafts in the browser: a new consultation with its sections, a revised
draft (a new version, with its differences shown) and a question with fixed answers.
Only active staff of the owning agency may; everyone else gets a clear refusal and
nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from townhall.consultations import actions
from townhall.consultations.models import Consultation, ConsultationVersion, Question

pytestmark = pytest.mark.django_db

CREATE = reverse("consultations:consultation-create")


def _moment(days: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def _sections(rows: list[tuple[str, str]], *, initial: int = 0, delete: tuple[int, ...] = ()):
    data = {
        "sections-TOTAL_FORMS": str(len(rows)),
        "sections-INITIAL_FORMS": str(initial),
        "sections-MIN_NUM_FORMS": "0",
        "sections-MAX_NUM_FORMS": "200",
    }
    for index, (heading, body) in enumerate(rows):
        data[f"sections-{index}-heading"] = heading
        data[f"sections-{index}-body"] = body
        if index in delete:
            data[f"sections-{index}-DELETE"] = "on"
    return data


def _new_consultation(agency: Any, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "agency": str(agency.pk),
        "title": "Quieter nights plan",
        "summary": "Fewer night-time deliveries in residential streets.",
        "required_assurance": "email_verified",
        "published_at": "",
        "opens_at": _moment(1),
        "closes_at": _moment(30),
        **_sections(
            [
                ("Why", "Night deliveries wake **families** up."),
                ("The rule", "No deliveries between 10 pm and 6 am in residential streets."),
                ("", ""),
            ]
        ),
    }
    data.update(changes)
    return data


def _revise_url(consultation: Any) -> str:
    return reverse("consultations:consultation-revise", kwargs={"pk": consultation.pk})


def _question_url(consultation: Any) -> str:
    return reverse("consultations:question-create", kwargs={"pk": consultation.pk})


@pytest.fixture
def goal(agency, site_admin):
    from townhall.agencies.actions import add_goal

    return add_goal(
        by=site_admin, agency=agency, title="Quiet streets", measure="Noise complaints a year"
    )


@pytest.fixture
def staff_client(sign_in_staff, staff_member):
    return sign_in_staff(staff_member.user)


# --- a new consultation ------------------------------------------------------------------


def test_staff_create_a_consultation_which_is_listed_with_its_sections(
    staff_client, staff_member, colleague, agency, goal
):
    page = staff_client.get(CREATE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Quiet streets" in html and "Kim Osei" in html
    response = staff_client.post(
        CREATE,
        _new_consultation(agency, goals=[str(goal.pk)], responsible=[str(colleague.pk)]),
    )
    consultation = Consultation.objects.get(title="Quieter nights plan")
    assert response.status_code == 302
    assert response["Location"] == consultation.get_absolute_url()
    assert consultation.agency == agency
    assert list(consultation.goals.all()) == [goal]
    assert list(consultation.responsible.all()) == [colleague]
    assert consultation.published_at is not None
    version = consultation.current_version
    assert version.number == 1
    assert [s.heading for s in version.sections.order_by("order")] == ["Why", "The rule"]

    listed = staff_client.get(reverse("consultations:consultation-list")).content.decode()
    assert "Quieter nights plan" in listed
    detail = staff_client.get(consultation.get_absolute_url()).content.decode()
    assert "Night deliveries wake <strong>families</strong> up." in detail
    assert "No deliveries between 10 pm and 6 am" in detail
    # Visitors see it too: published at once.
    staff_client.logout()
    assert "Quieter nights plan" in staff_client.get("/consultations/").content.decode()


def test_a_later_publish_date_keeps_the_draft_to_the_agencys_staff(
    staff_client, client, agency, citizen
):
    staff_client.post(CREATE, _new_consultation(agency, published_at=_moment(3)))
    consultation = Consultation.objects.get()
    assert staff_client.get(consultation.get_absolute_url()).status_code == 200
    from django.test import Client

    visitor = Client()
    assert visitor.get(consultation.get_absolute_url()).status_code == 404
    assert "Quieter nights plan" not in visitor.get("/consultations/").content.decode()


def test_add_another_section_shows_the_rows_typed_and_one_more_without_errors(staff_client, agency):
    data = _new_consultation(agency, title="", add_section="1")
    response = staff_client.post(CREATE, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" not in html
    assert "Night deliveries wake **families** up." in html
    # Two typed rows kept, the blank one dropped, one empty row more with the focus.
    assert 'name="sections-TOTAL_FORMS" value="3"' in html
    assert 'name="sections-2-heading"' in html
    assert "autofocus" in html
    assert 'value="Quieter nights plan"' not in html
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": _moment(-1)}, "The consultation must close after it opens."),
        ({"closes_at": "next Tuesday"}, "Enter a date and time, such as 2030-05-17 09:00."),
        ({"opens_at": ""}, "Say when it opens for comments."),
        ({"title": "   "}, "Give a title."),
        (_sections([("", ""), ("", "")]), "A draft needs at least one section."),
        (_sections([("", "Text without a heading")]), "Every section needs a heading."),
        (_sections([("A heading", "  ")]), "Every section needs some text."),
        (
            _sections([("Why", "Because")], delete=(0,)),
            "A draft needs at least one section.",
        ),
        ({"required_assurance": "superhero"}, "Select a valid choice."),
        ({"sections-0-heading": "x" * 201}, "at most 200 characters"),
        ({"sections-0-heading": "Null\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    staff_client, agency, changes, message
):
    response = staff_client.post(CREATE, _new_consultation(agency, **changes))
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert Consultation.objects.count() == 0
    assert ConsultationVersion.objects.count() == 0


def test_at_most_200_sections(staff_client, agency):
    rows = [(f"Part {n}", f"Text {n}") for n in range(201)]
    response = staff_client.post(CREATE, _new_consultation(agency, **_sections(rows)))
    assert response.status_code == 400
    assert "A draft can have at most 200 sections." in response.content.decode()
    assert Consultation.objects.count() == 0
    rows = rows[:200]
    response = staff_client.post(CREATE, _new_consultation(agency, **_sections(rows)))
    assert response.status_code == 302
    assert Consultation.objects.get().current_version.sections.count() == 200


@pytest.mark.parametrize(
    "management",
    [
        {"sections-TOTAL_FORMS": "100000000"},
        {"sections-TOTAL_FORMS": "many"},
        {"sections-TOTAL_FORMS": None, "sections-INITIAL_FORMS": None},
    ],
)
def test_a_tampered_sections_form_is_refused_not_a_server_error(staff_client, agency, management):
    data = _new_consultation(agency)
    for key, value in management.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = staff_client.post(CREATE, data)
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert Consultation.objects.count() == 0
    again = dict(data, add_section="1")
    assert staff_client.post(CREATE, again).status_code == 200


def test_hostile_markdown_is_shown_safe(staff_client, agency):
    hostile = (
        "<script>alert('body')</script>\n\n"
        "[click](javascript:alert('link'))\n\n"
        '<img src=x onerror="alert(1)">'
    )
    data = _new_consultation(
        agency,
        title="<script>alert('title')</script>",
        **_sections([("<b onmouseover=alert(1)>Head</b>", hostile)]),
    )
    response = staff_client.post(CREATE, data)
    assert response.status_code == 302
    consultation = Consultation.objects.get()
    html = staff_client.get(consultation.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "<img src=x" not in html
    assert "<b onmouseover" not in html
    assert "&lt;script&gt;alert(" in html  # shown as text
    assert "&lt;script&gt;alert(&#x27;title&#x27;)&lt;/script&gt;" in html


def test_staff_of_several_agencies_choose_one_and_its_goals(
    staff_client, staff_member, agency, other_agency, site_admin, goal
):
    from townhall.agencies.actions import add_goal, add_staff_member

    add_staff_member(
        by=site_admin,
        agency=other_agency,
        user=staff_member.user,
        public_name="Sam Rivera",
        job_title="Volunteer coordinator",
    )
    parks_goal = add_goal(
        by=site_admin, agency=other_agency, title="Green parks", measure="Trees planted"
    )
    html = staff_client.get(CREATE).content.decode()
    assert "Parks and Recreation" in html and "Green parks (Parks and Recreation)" in html
    mixed = _new_consultation(other_agency, goals=[str(goal.pk)])
    response = staff_client.post(CREATE, mixed)
    assert response.status_code == 400
    assert "Choose goals of this agency." in response.content.decode()
    good = _new_consultation(other_agency, goals=[str(parks_goal.pk)])
    assert staff_client.post(CREATE, good).status_code == 302
    assert Consultation.objects.get().agency == other_agency


def test_staff_cannot_create_for_an_agency_they_do_not_work_for(sign_in_staff, other_staff, agency):
    client = sign_in_staff(other_staff.user)
    response = client.post(CREATE, _new_consultation(agency))
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert Consultation.objects.count() == 0


def test_citizens_get_a_clear_403_and_visitors_are_sent_to_sign_in(client, citizen, consultation):
    urls = [CREATE, _revise_url(consultation), _question_url(consultation)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    client.force_login(citizen)
    for url in urls:
        for response in (client.get(url), client.post(url, _new_consultation(consultation.agency))):
            assert response.status_code == 403
            assert "Not allowed" in response.content.decode()
    assert "Your account does not work for any agency" in client.get(CREATE).content.decode()
    assert "Only staff of Public Works" in client.get(_revise_url(consultation)).content.decode()
    assert Consultation.objects.count() == 1
    assert ConsultationVersion.objects.count() == 1


# --- a revised draft -----------------------------------------------------------------------


def test_revising_publishes_version_2_and_shows_what_changed(staff_client, consultation, sections):
    page = staff_client.get(_revise_url(consultation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "drops to 20 mph" in html  # the current sections fill the form
    assert 'name="sections-TOTAL_FORMS" value="4"' in html
    rows = [(s.heading, s.body) for s in sections]
    rows[1] = ("Speed limits", rows[1][1].replace("20 mph", "15 mph"))
    rows.append(("Cycling", "Every main road gets a protected cycle lane."))
    data = {"note": "Lower limit; a section on cycling.", **_sections(rows, initial=3)}
    data = dict(data, **{"sections-2-DELETE": "on"})  # crossings go
    response = staff_client.post(_revise_url(consultation), data)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "consultations:version-diff", kwargs={"pk": consultation.pk, "number": 2}
    )
    consultation.refresh_from_db()
    version = consultation.current_version
    assert version.number == 2
    assert version.note == "Lower limit; a section on cycling."
    assert [s.heading for s in version.sections.order_by("order")] == [
        "Purpose",
        "Speed limits",
        "Cycling",
    ]
    assert consultation.versions.count() == 2
    diff = staff_client.get(response["Location"]).content.decode()
    assert "15" in diff and "20" in diff
    assert "Cycling" in diff and "Crossings" in diff
    assert "Lower limit; a section on cycling." in diff


def test_revise_refuses_bad_sections_and_keeps_version_1(staff_client, consultation, sections):
    data = {"note": "", **_sections([("", "")], initial=1)}
    response = staff_client.post(_revise_url(consultation), data)
    assert response.status_code == 400
    assert "A draft needs at least one section." in response.content.decode()
    consultation.refresh_from_db()
    assert consultation.current_version.number == 1


def test_staff_of_another_agency_cannot_revise_or_add_a_question(
    sign_in_staff, other_staff, make_consultation
):
    upcoming = make_consultation(opens_in=3)
    client = sign_in_staff(other_staff.user)
    revise = client.post(
        _revise_url(upcoming), {"note": "Hijack", **_sections([("Mine", "All mine")])}
    )
    assert revise.status_code == 403
    question = client.post(
        _question_url(upcoming), {"text": "Hijack?", "kind": "single", "choices": "Yes\nNo"}
    )
    assert question.status_code == 403
    assert client.get(_revise_url(upcoming)).status_code == 403
    assert ConsultationVersion.objects.filter(consultation=upcoming).count() == 1
    assert Question.objects.count() == 0
    # Neither page is offered on the consultation.
    html = client.get(upcoming.get_absolute_url()).content.decode()
    assert "Publish a revised draft" not in html and "Add a question" not in html


def test_a_draft_not_yet_published_is_not_found_for_another_agency(
    sign_in_staff, other_staff, make_consultation
):
    draft = make_consultation(published_at=timezone.now() + dt.timedelta(days=5), opens_in=6)
    client = sign_in_staff(other_staff.user)
    assert client.get(_revise_url(draft)).status_code == 404
    assert client.get(_question_url(draft)).status_code == 404


def test_the_draft_cannot_change_after_the_response(
    staff_client, staff_member, consultation, sections, close
):
    close(consultation)
    actions.publish_response(by=staff_member.user, consultation=consultation, summary="Thanks.")
    data = {"note": "", **_sections([("New", "Text")])}
    response = staff_client.post(_revise_url(consultation), data)
    assert response.status_code == 400
    assert "the draft can no longer change" in response.content.decode()
    assert consultation.versions.count() == 1


# --- questions -------------------------------------------------------------------------------


def test_staff_add_questions_which_appear_on_the_consultation(staff_client, make_consultation):
    upcoming = make_consultation(opens_in=3)
    response = staff_client.post(
        _question_url(upcoming),
        {"text": "Which nights matter most?", "kind": "multiple", "choices": "Fri\n\nSat\nSat\n"},
    )
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#question-{question.pk}")
    assert question.choices == ["Fri", "Sat"]
    response = staff_client.post(
        _question_url(upcoming), {"text": "How loud is it?", "kind": "scale", "choices": ""}
    )
    assert response.status_code == 302
    html = staff_client.get(upcoming.get_absolute_url()).content.decode()
    assert "Which nights matter most?" in html and "How loud is it?" in html
    assert "Fri" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "Yes or no?", "kind": "single", "choices": "Yes"}, "Give between 2 and 20"),
        ({"text": "", "kind": "single", "choices": "A\nB"}, "Write the question."),
        ({"text": "Pick", "kind": "ranking", "choices": "A\nB"}, "Select a valid choice."),
        (
            {"text": "Pick", "kind": "single", "choices": "\n".join(str(n) for n in range(21))},
            "Give between 2 and 20",
        ),
    ],
)
def test_bad_questions_are_refused(staff_client, make_consultation, data, message):
    upcoming = make_consultation(opens_in=3)
    response = staff_client.post(_question_url(upcoming), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Question.objects.count() == 0


def test_questions_cannot_be_added_once_open(staff_client, consultation):
    page = staff_client.get(_question_url(consultation)).content.decode()
    assert "questions can no longer be added" in page
    response = staff_client.post(
        _question_url(consultation), {"text": "Late?", "kind": "single", "choices": "A\nB"}
    )
    assert response.status_code == 400
    assert "Add questions before the consultation opens" in response.content.decode()
    assert Question.objects.count() == 0


# --- links -----------------------------------------------------------------------------------


def test_staff_find_the_pages_from_the_list_and_the_consultation(
    staff_client, client, citizen, make_consultation
):
    upcoming = make_consultation(opens_in=3)
    listed = staff_client.get("/consultations/").content.decode()
    assert f'href="{CREATE}"' in listed
    detail = staff_client.get(upcoming.get_absolute_url()).content.decode()
    assert f'href="{_revise_url(upcoming)}"' in detail
    assert f'href="{_question_url(upcoming)}"' in detail
    client.force_login(citizen)
    assert CREATE not in client.get("/consultations/").content.decode()
    detail = client.get(upcoming.get_absolute_url()).content.decode()
    assert _revise_url(upcoming) not in detail and _question_url(upcoming) not in detail


# --- cost --------------------------------------------------------------------------------


def test_create_page_queries_do_not_grow_with_goals_and_staff(
    staff_client, agency, site_admin, make_user, django_assert_max_num_queries
):
    from townhall.agencies.actions import add_goal, add_staff_member

    def add(start, n):
        for i in range(start, start + n):
            add_goal(by=site_admin, agency=agency, title=f"Goal {i}", measure="m")
            add_staff_member(
                by=site_admin,
                agency=agency,
                user=make_user(f"person{i}@example.org", f"Person {i}"),
                public_name=f"Person {i}",
                job_title="Officer",
            )

    add(0, 2)
    with django_assert_max_num_queries(25) as few:
        assert staff_client.get(CREATE).status_code == 200
    add(2, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert staff_client.get(CREATE).status_code == 200


def test_revise_page_queries_do_not_grow_with_sections(
    staff_client, make_consultation, django_assert_max_num_queries
):
    small = make_consultation()
    big = make_consultation(sections=[(f"Part {n}", f"Text {n}") for n in range(60)])
    with django_assert_max_num_queries(25) as few:
        assert staff_client.get(_revise_url(small)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(_revise_url(big))
    assert "Part 59" in response.content.decode()
    rows = [(f"Part {n}", f"New text {n}") for n in range(60)]
    with django_assert_max_num_queries(len(few.captured_queries) + 15):
        response = staff_client.post(_revise_url(big), {"note": "", **_sections(rows, initial=60)})
    assert response.status_code == 302
