"""The archive holds every record of the person, not only the big ones: their answers to
consultation questions, the messages they marked helpful, what they reported and appealed
(and the decisions), the emails the site received from them, the identity providers and
second factors on their account, and the details an application filed a request with
before they claimed it. Secrets stay out (the reply address of an email, an
authenticator's secret)."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from allauth.socialaccount.models import SocialAccount
from django.utils import timezone

from townhall.activity.models import InboundEmail, InboundOutcome
from townhall.consultations import actions as consultations
from townhall.consultations import moderation as comment_moderation
from townhall.consultations.models import Consultation
from townhall.conversations import discussions, moderation
from townhall.privacy import actions
from townhall.service_requests.models import RequestContact

from .conftest import Records

pytestmark = pytest.mark.django_db

REPLY_ADDRESS = "reply+s3cr3t-t0ken@townhall.example"


def archive_of(user: Any, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        job = actions.request_export(by=user)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        return json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("archive.json"))


@pytest.fixture
def everything(
    alex_records: Records, make_user: Any, staff_member: Any, site_admin: Any
) -> dict[str, Any]:
    alex = alex_records.user
    neighbour = make_user("neighbour@example.org", display_name="Bea Neighbour")
    theirs = discussions.post_in_discussion(
        by=neighbour, thread=alex_records.discussion, body="The city clears them by noon."
    )
    discussions.toggle_helpful(by=alex, message=theirs)
    moderation.flag_message(
        by=alex, message=theirs, reason="Names my street.", category="personal_data"
    )
    moderation.hide_message(by=site_admin, message=alex_records.discussion_post, reason="Spam")
    moderation.appeal_message(
        by=alex, message=alex_records.discussion_post, text="It was a thank-you."
    )

    now = timezone.now()
    consultation = consultations.create_consultation(
        by=staff_member.user,
        agency=staff_member.agency,
        title="Safer streets plan",
        summary="A draft plan for safer streets.",
        sections=[("Speed", "20 mph near schools.")],
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
    )
    question = consultations.add_question(
        by=staff_member.user,
        consultation=consultation,
        text="How safe do you feel cycling?",
        kind="scale",
    )
    Consultation.objects.filter(pk=consultation.pk).update(opens_at=now - dt.timedelta(hours=1))
    consultation.refresh_from_db()
    consultations.answer_question(by=alex, question=question, value=2)
    mine = consultations.post_comment(by=alex, consultation=consultation, body="Yes please.")
    other = consultations.post_comment(by=neighbour, consultation=consultation, body="Buy ads!")
    consultations.flag_comment(by=alex, comment=other, reason="An advert.")
    consultations.hide_comment(by=site_admin, comment=mine, reason="Off topic")
    comment_moderation.appeal_comment(by=alex, comment=mine, text="It is on topic.")

    InboundEmail.objects.create(
        source="smtp",
        from_address="alex@example.org",
        recipient=REPLY_ADDRESS,
        size=2048,
        user=alex,
        outcome=InboundOutcome.POSTED,
    )
    SocialAccount.objects.create(user=alex, provider="login.gov", uid="uuid-1234")
    TOTP.activate(alex, generate_totp_secret())
    RequestContact.objects.create(
        request=alex_records.public_request,
        email="alex.old@example.net",
        first_name="Alex",
        last_name="Park",
        phone="217-555-0199",
        filed_via=site_admin,
        claimed_by=alex,
        claimed_at=now,
    )
    return {"question": question, "other": other, "theirs": theirs}


def test_the_archive_holds_the_smaller_records_too(
    alex_records: Records, everything: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    data = archive_of(alex_records.user, django_capture_on_commit_callbacks)

    [answer] = data["consultation_answers"]
    assert answer["question"] == "How safe do you feel cycling?" and answer["answer"] == 2
    [mark] = data["helpful_marks"]
    assert mark["message"] == everything["theirs"].pk and mark["kind"] == "helpful"
    reports = {(r["about"], r["reason"]) for r in data["reports"]}
    assert reports == {("message", "Names my street."), ("consultation comment", "An advert.")}
    appeals = {(a["about"], a["appeal"], a["outcome"]) for a in data["appeals"]}
    assert appeals == {
        ("message", "It was a thank-you.", "pending"),
        ("consultation comment", "It is on topic.", "pending"),
    }
    [email] = data["emails_received"]
    assert email["from"] == "alex@example.org" and email["outcome"] == "posted"
    account = data["account"]
    assert account["identity_providers"] == [
        {
            "provider": "login.gov",
            "your_id_there": "uuid-1234",
            "linked_at": account["identity_providers"][0]["linked_at"],
        }
    ]
    assert [factor["type"] for factor in account["second_factors"]] == ["totp"]
    requests = {item["reference"]: item for item in data["service_requests"]}
    contact = requests[alex_records.public_request.reference]["contact_given"]
    assert contact["email"] == "alex.old@example.net" and contact["phone"] == "217-555-0199"
    assert requests[alex_records.private_request.reference]["contact_given"] is None


def test_secrets_and_other_peoples_records_stay_out(
    alex_records: Records, everything: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    raw = json.dumps(archive_of(alex_records.user, django_capture_on_commit_callbacks))
    assert REPLY_ADDRESS not in raw and "s3cr3t" not in raw
    assert "secret" not in raw.lower()
    assert "Buy ads!" not in raw  # the neighbour's comment, which Alex only reported
