"""The questions a service asks (Open311 attributes): adding, changing and removing them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from townhall.activity.models import Activity, Visibility
from townhall.agencies import actions
from townhall.agencies.models import ServiceAttribute, StaffRole

LANES = [
    {"key": "lane", "name": "In a traffic lane"},
    {"key": "shoulder", "name": "On the shoulder"},
]


@pytest.fixture
def pothole(site_admin, agency):
    return actions.add_service(by=site_admin, agency=agency, code="pothole", name="Pothole")


def ask(by, service, code="road-position", **extra):
    extra.setdefault("description", "Where on the road is it?")
    extra.setdefault("datatype", "singlevaluelist")
    extra.setdefault("values", LANES)
    return actions.add_service_attribute(by=by, service=service, code=code, **extra)


def test_a_question_is_added_in_the_open311_shape_and_logged(site_admin, pothole):
    question = ask(
        site_admin,
        pothole,
        required=True,
        datatype_description="Pick the closest.",
    )
    question.refresh_from_db()
    assert question.service == pothole
    assert question.code == "road-position"
    assert question.description == "Where on the road is it?"
    assert question.datatype == "singlevaluelist"
    assert question.datatype_description == "Pick the closest."
    assert question.required and question.variable
    assert question.values == LANES
    assert question.order == 0
    entry = Activity.objects.get(verb="service.question_added")
    assert entry.visibility == Visibility.PUBLIC
    assert entry.summary == "“Pothole” now asks: Where on the road is it?"


def test_new_questions_go_last_unless_placed(site_admin, pothole):
    first = ask(site_admin, pothole, code="a")
    second = ask(site_admin, pothole, code="b", datatype="string", values=[])
    placed = ask(site_admin, pothole, code="c", datatype="number", values=[], order=0)
    assert (first.order, second.order, placed.order) == (0, 1, 0)
    assert [q.code for q in pothole.attributes.all()] == ["a", "c", "b"]


def test_a_list_question_needs_at_least_one_choice(site_admin, pothole):
    for datatype in ["singlevaluelist", "multivaluelist"]:
        with pytest.raises(ValidationError) as caught:
            ask(site_admin, pothole, datatype=datatype, values=[])
        assert caught.value.message_dict == {
            "values": ["A question answered from a list needs at least one choice."]
        }
    assert not ServiceAttribute.objects.exists()
    assert not Activity.objects.filter(verb="service.question_added").exists()


@pytest.mark.parametrize("datatype", ["string", "text", "number", "date", "datetime"])
def test_only_list_questions_have_choices(site_admin, pothole, datatype):
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, datatype=datatype, values=LANES)
    assert caught.value.message_dict == {
        "values": ["Only questions answered from a list have choices; remove them."]
    }


def test_a_question_code_is_used_once_per_service(site_admin, pothole, agency):
    ask(site_admin, pothole)
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, description="Again?")
    assert caught.value.message_dict == {
        "code": ["“Pothole” already asks a question with the code “road-position”."]
    }
    other = actions.add_service(by=site_admin, agency=agency, code="sign", name="Sign")
    assert ask(site_admin, other).code == "road-position"  # another service may use it
    assert ServiceAttribute.objects.count() == 2


def test_the_database_refuses_a_duplicate_code_that_skipped_the_action(site_admin, pothole):
    ask(site_admin, pothole)
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceAttribute.objects.create(
            service=pothole, code="road-position", description="x", datatype="string"
        )


def test_model_validation_names_a_duplicate_code_too(site_admin, pothole):
    ask(site_admin, pothole)
    duplicate = ServiceAttribute(
        service=pothole, code="road-position", description="x", datatype="string"
    )
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "This service already asks a question with this code." in caught.value.messages


@pytest.mark.parametrize(
    "values, message",
    [
        ("lane, shoulder", "Give the choices as a list of objects with a “key” and a “name”."),
        (["lane"], "Give the choices as a list of objects with a “key” and a “name”."),
        ([{"key": "lane"}], "Give the choices as a list of objects with a “key” and a “name”."),
        (
            [{"key": "lane", "name": "Lane", "colour": "red"}],
            "Give the choices as a list of objects with a “key” and a “name”.",
        ),
        (
            [{"key": "in lane", "name": "Lane"}],
            "The key “in lane” must be 1 to 100 letters, digits, dots, hyphens or underscores.",
        ),
        (
            [{"key": "", "name": "Lane"}],
            "The key “” must be 1 to 100 letters, digits, dots, hyphens or underscores.",
        ),
        (
            [{"key": 1, "name": "One"}],
            "The key “1” must be 1 to 100 letters, digits, dots, hyphens or underscores.",
        ),
        ([{"key": "lane", "name": "  "}], "The choice “lane” needs a name."),
        (
            [{"key": "lane", "name": "x" * 201}],
            "Keep the name of the choice “lane” to 200 characters or fewer.",
        ),
        (
            [{"key": "lane", "name": "Lane"}, {"key": "lane", "name": "Again"}],
            "The key “lane” is used twice; each choice needs its own key.",
        ),
        (
            [{"key": f"k{n}", "name": "N"} for n in range(101)],
            "Offer at most 100 choices.",
        ),
    ],
)
def test_malformed_choices_are_refused_with_a_clear_message(site_admin, pothole, values, message):
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, values=values)
    assert caught.value.message_dict == {"values": [message]}


@pytest.mark.parametrize("code", ["", "Where on the road?", "a/b", "x" * 65, "<b>"])
def test_a_question_code_must_be_a_short_slug(site_admin, pothole, code):
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, code=code)
    assert "code" in caught.value.message_dict


@pytest.mark.parametrize("datatype", ["", "date_time", "boolean", "STRING"])
def test_an_unknown_datatype_is_refused(site_admin, pothole, datatype):
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, datatype=datatype, values=[])
    assert "datatype" in caught.value.message_dict


def test_a_question_must_say_what_it_asks(site_admin, pothole):
    for description in ["", "   ", "x" * 501]:
        with pytest.raises(ValidationError) as caught:
            ask(site_admin, pothole, description=description)
        assert "description" in caught.value.message_dict


def test_a_note_that_takes_no_answer_cannot_be_required(site_admin, pothole):
    with pytest.raises(ValidationError) as caught:
        ask(site_admin, pothole, datatype="string", values=[], variable=False, required=True)
    assert caught.value.message_dict == {
        "required": ["A note that takes no answer cannot require one."]
    }
    note = ask(site_admin, pothole, datatype="string", values=[], variable=False)
    assert not note.variable


def test_a_date_question_is_offered_to_open311_as_a_datetime(site_admin, pothole):
    day = ask(site_admin, pothole, code="day", datatype="date", values=[])
    lane = ask(site_admin, pothole)
    assert day.open311_datatype == "datetime"
    assert lane.open311_datatype == "singlevaluelist"


def test_changing_a_question_is_validated_and_logged(site_admin, pothole):
    question = ask(site_admin, pothole)
    actions.update_service_attribute(
        by=site_admin,
        attribute=question,
        changes={"required": True, "values": [*LANES, {"key": "crosswalk", "name": "Crosswalk"}]},
    )
    question.refresh_from_db()
    assert question.required
    assert [choice["key"] for choice in question.values] == ["lane", "shoulder", "crosswalk"]
    assert Activity.objects.filter(verb="service.question_updated").count() == 1
    with pytest.raises(ValidationError):
        actions.update_service_attribute(by=site_admin, attribute=question, changes={"values": []})
    question.refresh_from_db()
    assert len(question.values) == 3
    assert Activity.objects.filter(verb="service.question_updated").count() == 1


def test_a_question_can_turn_from_a_list_into_text_once_its_choices_go(site_admin, pothole):
    question = ask(site_admin, pothole)
    with pytest.raises(ValidationError):
        actions.update_service_attribute(
            by=site_admin, attribute=question, changes={"datatype": "string"}
        )
    actions.update_service_attribute(
        by=site_admin, attribute=question, changes={"datatype": "string", "values": []}
    )
    question.refresh_from_db()
    assert (question.datatype, question.values) == ("string", [])


def test_a_question_code_and_service_cannot_be_changed(site_admin, pothole, agency):
    question = ask(site_admin, pothole)
    other = actions.add_service(by=site_admin, agency=agency, code="sign", name="Sign")
    for changes in [{"code": "where"}, {"service": other}]:
        with pytest.raises(ValueError, match="cannot be changed"):
            actions.update_service_attribute(by=site_admin, attribute=question, changes=changes)


def test_removing_a_question_is_logged_against_the_service(site_admin, pothole):
    question = ask(site_admin, pothole)
    actions.remove_service_attribute(by=site_admin, attribute=question)
    assert not ServiceAttribute.objects.exists()
    entry = Activity.objects.get(verb="service.question_removed")
    assert entry.summary == "“Pothole” no longer asks: Where on the road is it?"
    assert entry.target_id == str(pothole.pk)


def test_an_agency_administrator_manages_their_own_services_questions(agency, add_person, pothole):
    admin = add_person(agency, "Agnes Admin", role=StaffRole.ADMIN)
    question = ask(admin.user, pothole)
    actions.update_service_attribute(
        by=admin.user, attribute=question, changes={"description": "Where is it?"}
    )
    actions.remove_service_attribute(by=admin.user, attribute=question)
    assert not ServiceAttribute.objects.exists()


def test_citizens_staff_and_other_agencies_cannot_touch_a_services_questions(
    citizen, staff_member, agency, other_agency, add_person, site_admin, pothole
):
    question = ask(site_admin, pothole)
    manager = add_person(agency, "Morgan Ellis", role=StaffRole.MANAGER)
    parks_admin = add_person(other_agency, "Parker Admin", role=StaffRole.ADMIN)
    intruders = [citizen, staff_member.user, manager.user, parks_admin.user, AnonymousUser(), None]
    for intruder in intruders:
        with pytest.raises(PermissionDenied):
            ask(intruder, pothole, code="mine")
        with pytest.raises(PermissionDenied):
            actions.update_service_attribute(
                by=intruder, attribute=question, changes={"description": "Mine"}
            )
        with pytest.raises(PermissionDenied):
            actions.remove_service_attribute(by=intruder, attribute=question)
    question.refresh_from_db()
    assert question.description == "Where on the road is it?"
    assert list(ServiceAttribute.objects.values_list("code", flat=True)) == ["road-position"]
