"""Service.validate_answers: a citizen's answers checked against the service's questions.

The filing form, the REST API and Open311 all use it, so each way an answer can be wrong
gets a message under the attribute's code.
"""

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from townhall.agencies import actions
from townhall.agencies.answers import clean_answers
from townhall.agencies.models import ServiceAttribute

SIZES = [{"key": "small", "name": "Small"}, {"key": "large", "name": "Large"}]
BINS = [
    {"key": "trash", "name": "Trash"},
    {"key": "recycling", "name": "Recycling"},
    {"key": "yard-waste", "name": "Yard waste"},
]


@pytest.fixture
def service(site_admin, agency):
    """A service asking one question of every kind, plus a note that takes no answer."""
    service = actions.add_service(by=site_admin, agency=agency, code="survey", name="Survey")
    questions = [
        ("note", "Read this first.", "string", {"variable": False}),
        ("where", "Where is it?", "string", {"required": True}),
        ("details", "Tell us more", "text", {}),
        ("count", "How many?", "number", {}),
        ("day", "Scheduled pickup day", "date", {}),
        ("seen-at", "When did you see it?", "datetime", {}),
        ("size", "Approximate size", "singlevaluelist", {"required": True, "values": SIZES}),
        ("bins", "What was missed?", "multivaluelist", {"values": BINS}),
    ]
    for code, description, datatype, extra in questions:
        actions.add_service_attribute(
            by=site_admin,
            service=service,
            code=code,
            description=description,
            datatype=datatype,
            **extra,
        )
    return service


def errors_of(service, answers):
    with pytest.raises(ValidationError) as caught:
        service.validate_answers(answers)
    return caught.value.message_dict


def test_complete_answers_come_back_cleaned_in_plain_json(service):
    cleaned = service.validate_answers(
        {
            "where": "  Outside 12 Elm Street ",
            "details": "Deep.\nVery deep.",
            "count": "3",
            "day": "2026-03-31",
            "seen-at": "2026-03-31T14:30:00-05:00",
            "size": "large",
            "bins": ["yard-waste", "trash", "trash"],
        }
    )
    assert cleaned == {
        "where": "Outside 12 Elm Street",
        "details": "Deep.\nVery deep.",
        "count": 3,
        "day": "2026-03-31",
        "seen-at": "2026-03-31T14:30:00-05:00",
        "size": "large",
        "bins": ["trash", "yard-waste"],  # each once, in the order the service lists them
    }
    assert json.loads(json.dumps(cleaned)) == cleaned


def test_unanswered_optional_questions_are_left_out(service):
    cleaned = service.validate_answers(
        {"where": "Elm St", "size": "small", "details": "  ", "bins": [], "count": None}
    )
    assert cleaned == {"where": "Elm St", "size": "small"}


def test_a_missing_required_answer_names_the_question(service):
    errors = errors_of(service, {"size": "small"})
    assert errors == {"where": ["Answer the question “Where is it?”."]}
    assert errors_of(service, {"where": "   ", "size": ""}).keys() == {"where", "size"}


def test_no_answers_at_all_is_the_same_as_an_empty_object(service):
    assert errors_of(service, None).keys() == {"where", "size"}
    assert errors_of(service, {}).keys() == {"where", "size"}


def test_an_unknown_code_is_refused_by_name(service):
    errors = errors_of(service, {"where": "Elm St", "size": "small", "colour": "red"})
    assert errors == {"colour": ["This service asks no question with the code “colour”."]}


def test_a_note_that_takes_no_answer_refuses_one(service):
    errors = errors_of(service, {"where": "Elm St", "size": "small", "note": "ok"})
    assert list(errors) == ["note"]
    # ...but an empty value for it is harmless, as form posts send every field.
    assert "note" not in service.validate_answers({"where": "Elm", "size": "small", "note": ""})


def test_every_wrong_answer_is_reported_at_once(service):
    errors = errors_of(
        service,
        {"where": 12, "count": "many", "day": "tomorrow", "size": "huge", "bins": ["glass"]},
    )
    assert errors.keys() == {"where", "count", "day", "size", "bins"}
    assert errors["where"] == ["Answer with text."]
    assert errors["count"] == ["Answer with a number, such as 3 or 2.5."]
    assert errors["day"] == ["Answer with a date, such as 2026-03-31."]
    assert errors["size"] == ["“huge” is not one of the choices: small, large."]
    assert errors["bins"] == ["“glass” is not one of the choices: trash, recycling, yard-waste."]


def test_a_single_choice_refuses_several_values(service):
    errors = errors_of(service, {"where": "Elm", "size": ["small", "large"]})
    assert errors == {"size": ["Choose only one answer."]}
    # A list holding one value is one value.
    assert service.validate_answers({"where": "Elm", "size": ["large"]})["size"] == "large"


def test_a_multiple_choice_accepts_one_value_given_alone(service):
    cleaned = service.validate_answers({"where": "Elm", "size": "small", "bins": "recycling"})
    assert cleaned["bins"] == ["recycling"]


@pytest.mark.parametrize(
    "value, expected",
    [(3, 3), ("2.5", 2.5), (2.0, 2), ("-4", -4), (" 7 ", 7), ("1e3", 1000), (0, 0)],
)
def test_numbers_are_read_from_numbers_and_numeric_text(service, value, expected):
    cleaned = service.validate_answers({"where": "Elm", "size": "small", "count": value})
    assert cleaned["count"] == expected
    assert type(cleaned["count"]) is type(expected)


@pytest.mark.parametrize(
    "value",
    [True, False, "NaN", "Infinity", float("nan"), float("inf"), "1e400", 10**16, "3 apples", [3]],
)
def test_things_that_are_not_usable_numbers_are_refused(service, value):
    assert list(errors_of(service, {"where": "Elm", "size": "small", "count": value})) == ["count"]


def test_dates_must_be_real_days(service):
    errors = errors_of(service, {"where": "Elm", "size": "small", "day": "2026-02-30"})
    assert errors == {"day": ["“2026-02-30” is not a real date."]}
    for wrong in ["31/03/2026", "next Tuesday", 20260331, ["2026-03-31"]]:
        assert list(errors_of(service, {"where": "Elm", "size": "small", "day": wrong})) == ["day"]
    cleaned = service.validate_answers({"where": "Elm", "size": "small", "day": date(2026, 4, 1)})
    assert cleaned["day"] == "2026-04-01"


def test_a_date_sent_as_an_open311_datetime_is_taken_as_the_day_it_names(service):
    # Open311 has no date type, so its clients send a date question a date and time.
    for sent in ["2026-03-31T00:00:00Z", "2026-03-31T23:30:00-05:00", datetime(2026, 3, 31, 10)]:
        cleaned = service.validate_answers({"where": "Elm", "size": "small", "day": sent})
        assert cleaned["day"] == "2026-03-31"


def test_a_time_without_an_offset_is_read_in_the_agencys_time_zone(service):
    cleaned = service.validate_answers(
        {"where": "Elm", "size": "small", "seen-at": "2026-07-04T09:15:00"}
    )
    assert cleaned["seen-at"] == "2026-07-04T09:15:00-05:00"  # Chicago, summer time
    utc = service.validate_answers(
        {"where": "Elm", "size": "small", "seen-at": "2026-07-04T14:15Z"}
    )
    assert utc["seen-at"] == "2026-07-04T14:15:00+00:00"
    for wrong in ["2026-07-04", "yesterday", "2026-13-01T10:00:00", 1751620500]:
        errors = errors_of(service, {"where": "Elm", "size": "small", "seen-at": wrong})
        assert list(errors) == ["seen-at"]


def test_text_is_limited_in_length_and_may_not_hold_nul(service):
    errors = errors_of(service, {"where": "x" * 501, "size": "small"})
    assert errors == {"where": ["Keep the answer to 500 characters or fewer (it has 501)."]}
    assert service.validate_answers({"where": "x" * 500, "size": "small"})["where"] == "x" * 500
    long_text = "y" * 10_000
    assert service.validate_answers({"where": "a", "size": "small", "details": long_text})
    assert list(errors_of(service, {"where": "a", "size": "small", "details": "y" * 10_001})) == [
        "details"
    ]
    assert list(errors_of(service, {"where": "a\x00b", "size": "small"})) == ["where"]


def test_markup_and_sql_are_kept_as_the_text_they_are(service):
    nasty = "<script>alert(1)</script>'; DROP TABLE agencies_service; --"
    assert service.validate_answers({"where": nasty, "size": "small"})["where"] == nasty


def test_answers_that_are_not_an_object_are_refused(service):
    for wrong in [["where", "Elm"], "where=Elm", 3]:
        with pytest.raises(ValidationError) as caught:
            service.validate_answers(wrong)
        assert caught.value.messages == [
            "Send the answers as an object of attribute codes and values."
        ]


def test_a_flood_of_answers_is_refused_in_one_message(service):
    with pytest.raises(ValidationError) as caught:
        service.validate_answers({f"code-{n}": "x" for n in range(201)})
    assert caught.value.messages == ["Too many answers: this service asks far fewer questions."]


def test_a_huge_unknown_code_is_reported_shortened(service):
    errors = errors_of(service, {"where": "Elm", "size": "small", "z" * 5000: "x"})
    [code] = errors
    assert len(code) == 64


def test_list_keys_may_be_sent_as_whole_numbers(site_admin, agency):
    service = actions.add_service(by=site_admin, agency=agency, code="floors", name="Floors")
    actions.add_service_attribute(
        by=site_admin,
        service=service,
        code="floor",
        description="Which floor?",
        datatype="singlevaluelist",
        values=[{"key": "1", "name": "First"}, {"key": "2", "name": "Second"}],
    )
    assert service.validate_answers({"floor": 2}) == {"floor": "2"}
    assert service.validate_answers({"floor": "1"}) == {"floor": "1"}
    assert list(errors_of(service, {"floor": True})) == ["floor"]
    assert list(errors_of(service, {"floor": {"key": "1"}})) == ["floor"]


def test_a_service_without_questions_accepts_only_no_answers(site_admin, agency):
    service = actions.add_service(by=site_admin, agency=agency, code="plain", name="Plain")
    assert service.validate_answers({}) == {}
    assert list(errors_of(service, {"anything": "x"})) == ["anything"]


def test_validating_prefetched_questions_costs_no_query(
    service, django_assert_num_queries, django_assert_max_num_queries
):
    from townhall.agencies.models import Service

    fetched = Service.objects.select_related("agency").prefetch_related("attributes")
    loaded = fetched.get(pk=service.pk)
    with django_assert_num_queries(0):
        loaded.validate_answers({"where": "Elm", "size": "small"})


# --- any input at all: a clean answer or a ValidationError, never a crash --------------------

QUESTIONS = [
    ServiceAttribute(code="s", description="S", datatype="string", required=True),
    ServiceAttribute(code="t", description="T", datatype="text"),
    ServiceAttribute(code="n", description="N", datatype="number"),
    ServiceAttribute(code="d", description="D", datatype="date"),
    ServiceAttribute(code="dt", description="DT", datatype="datetime"),
    ServiceAttribute(code="one", description="One", datatype="singlevaluelist", values=SIZES),
    ServiceAttribute(code="many", description="Many", datatype="multivaluelist", values=BINS),
    ServiceAttribute(code="info", description="Info", datatype="string", variable=False),
]
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["small", "trash", "2026-03-31", "2026-03-31T10:00:00Z", "12.5"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    answers=st.dictionaries(
        st.sampled_from(["s", "t", "n", "d", "dt", "one", "many", "info"]) | st.text(max_size=8),
        JSON_VALUES,
        max_size=9,
    )
)
def test_any_answers_either_clean_to_json_or_fail_with_messages_per_code(answers):
    try:
        cleaned = clean_answers(QUESTIONS, answers, time_zone=ZoneInfo("America/Chicago"))
    except ValidationError as error:
        assert error.message_dict
        assert all(messages for messages in error.message_dict.values())
    else:
        assert "s" in cleaned
        assert set(cleaned) <= {"s", "t", "n", "d", "dt", "one", "many"}
        assert json.loads(json.dumps(cleaned)) == cleaned
