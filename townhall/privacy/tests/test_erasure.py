"""Erasing an account: personal data goes, public records stay under a stable pseudonym,
private records go unless their service's retention rule keeps them, the append-only log
is untouched. Staff personas are refused with the reason; erasing twice, or during an
export, is safe."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from townhall.activity.models import Activity, EmailPreference, Follow, Notification
from townhall.commitments.models import CalendarFeed
from townhall.conversations.models import Attachment, Message, Thread
from townhall.identity.models import ApiToken, User
from townhall.privacy import actions
from townhall.privacy.models import ExportJob, ExportStatus, RetentionRule
from townhall.service_requests.models import ServiceRequest

from .conftest import LEGAL_NAME, Records

pytestmark = pytest.mark.django_db

PASSWORD = "townhall-demo-password"
TEXT_FIELDS = (models.CharField, models.TextField, models.EmailField, models.JSONField)


def find_everywhere(*terms: str) -> dict[str, list[Any]]:
    """Every row of every model whose text columns contain one of `terms`, by
    "app.Model.field" (the test database's whole content)."""
    found: dict[str, list[Any]] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            condition = models.Q()
            for term in terms:
                condition |= models.Q(**{f"{field.name}__icontains": term})
            rows = list(model._base_manager.filter(condition).values_list("pk", flat=True))
            if rows:
                found[f"{model._meta.label}.{field.name}"] = rows
    return found


def add_sign_in_and_contact_records(user: Any, records: Records, other: Any) -> None:
    """An identity provider's claims, an inbound email, a second factor, and contact
    details given through another application."""
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    from townhall.activity.models import InboundEmail
    from townhall.service_requests.models import RequestContact

    SocialAccount.objects.create(
        user=user,
        provider="login-gov",
        uid="sub-123",
        extra_data={"email": user.email, "name": LEGAL_NAME},
    )
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    InboundEmail.objects.create(
        source="smtp",
        from_address=f"{user.display_name} <{user.email}>",
        envelope_from=user.email,
        user=user,
        outcome="refused",
        reason="too_large",
    )
    RequestContact.objects.create(
        request=records.public_request,
        email=user.email,
        first_name="Alexandra Q.",
        last_name="Parkinson",
        phone="+1 217 555 0100",
        filed_via=other,
        claimed_by=user,
    )


def test_after_erasure_no_personal_field_survives_outside_the_activity_log(
    alex_records: Records,
    citizen2: Any,
    django_capture_on_commit_callbacks: Any,
    media_root: Any,
) -> None:
    user = alex_records.user
    add_sign_in_and_contact_records(user, alex_records, citizen2)
    terms = (user.email, user.display_name, LEGAL_NAME)
    before = find_everywhere(*terms)
    for where in (
        "socialaccount.SocialAccount.extra_data",
        "activity.InboundEmail.from_address",
        "service_requests.RequestContact.email",
    ):
        assert where in before, where
    assert "identity.User.email" in before and "identity.User.legal_name" in before
    file_path = media_root / alex_records.attachment.file.name
    assert file_path.exists()

    with django_capture_on_commit_callbacks(execute=True):
        result = actions.erase_account(by=user, confirm=True)

    # Nowhere: the activity log keeps every entry, its wording now with the pseudonym
    # (the one recorded change it allows: activity/redaction.py).
    assert not find_everywhere(*terms)
    assert not find_everywhere(user.email, LEGAL_NAME, "555 0100", "Parkinson")

    assert Activity.objects.filter(summary__contains=result.pseudonym).exists()
    user.refresh_from_db()
    assert user.display_name == result.pseudonym == actions.pseudonym_for(user.pk)
    assert user.display_name.startswith("Former resident ")
    assert not user.is_active and not user.has_usable_password() and user.legal_name == ""
    # Public records stay, written by the pseudonym.
    public = ServiceRequest.objects.get(pk=alex_records.public_request.pk)
    assert public.requester_id == user.pk and public.requester.display_name == result.pseudonym
    post = Message.objects.get(pk=alex_records.discussion_post.pk)
    assert post.signature == result.pseudonym
    # Private records without a retention rule are gone, with their files.
    assert not ServiceRequest.objects.filter(pk=alex_records.private_request.pk).exists()
    assert not Thread.objects.filter(pk=alex_records.conversation.pk).exists()
    assert not Attachment.objects.filter(pk=alex_records.attachment.pk).exists()
    assert not file_path.exists()
    for model, field in [
        (Follow, "user"),
        (Notification, "recipient"),
        (EmailPreference, "user"),
        (CalendarFeed, "owner"),
        (ApiToken, "user"),
        (EmailAddress, "user"),
        (ExportJob, "owner"),
    ]:
        assert not model.objects.filter(**{field: user}).exists(), model
    assert Activity.objects.filter(verb="account.erased", citizen=user).exists()
    # Nobody is left to answer the deleted request: its open promises are released.
    from townhall.commitments.models import Commitment

    released = Commitment.objects.filter(subject_id=str(alex_records.private_request.pk))
    assert released.exists() and not released.filter(state="open").exists()
    assert Commitment.objects.filter(
        subject_id=str(alex_records.public_request.pk), state="open"
    ).exists()
    assert result.kept_public_requests == 1 and result.deleted_private_requests == 1


def test_a_retention_rule_keeps_private_requests_without_contact_details(
    alex_records: Records, django_capture_on_commit_callbacks: Any
) -> None:
    user = alex_records.user
    service = alex_records.private_request.service
    RetentionRule.objects.create(service=service, keep_days=1095, legal_basis="City Code 2-14")
    client = Client()
    client.force_login(user)
    page = client.get(reverse("privacy:erase")).content.decode()
    assert "kept for 1095 days" in page and "City Code 2-14" in page

    with django_capture_on_commit_callbacks(execute=True):
        result = actions.erase_account(by=user, confirm=True)

    kept = ServiceRequest.objects.get(pk=alex_records.private_request.pk)
    assert result.kept_private_requests == 1
    assert kept.latitude is not None  # a problem report keeps where the problem is
    assert Message.objects.filter(thread=kept.thread).exists()
    found = find_everywhere(user.email, LEGAL_NAME)
    assert not found

    # Once the time is up, the daily purge deletes it.
    from datetime import timedelta

    from django.utils import timezone

    assert actions.purge_retained_requests() == 0
    assert actions.purge_retained_requests(now=timezone.now() + timedelta(days=1096)) == 1
    assert not ServiceRequest.objects.filter(pk=kept.pk).exists()
    assert ServiceRequest.objects.filter(pk=alex_records.public_request.pk).exists()


def test_the_page_shows_what_is_kept_and_removed_and_needs_a_fresh_sign_in(
    alex_records: Records, client: Client
) -> None:
    user = alex_records.user
    client.force_login(user)
    page = client.get(reverse("privacy:erase"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Report a pothole" in html and "no legal duty to keep" in html
    assert "1 public request" in html and "Former resident " in html

    # Posting needs a recent sign-in: allauth asks for the password again.
    response = client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert User.objects.get(pk=user.pk).is_active

    assert client.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    missing = client.post(reverse("privacy:erase"), {})
    assert missing.status_code == 200 and b"Tick the box" in missing.content
    assert User.objects.get(pk=user.pk).is_active

    done = client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert done.status_code == 302 and done["Location"] == reverse("privacy:erased")
    assert not User.objects.get(pk=user.pk).is_active
    assert client.get(reverse("privacy:my-data")).status_code == 302  # signed out


def test_other_sessions_and_tokens_stop_working(alex_records: Records) -> None:
    user = alex_records.user
    elsewhere = Client()
    elsewhere.force_login(user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {alex_records.token_key}")
    assert api.get("/api/v1/me/").status_code == 200

    actions.erase_account(by=user, confirm=True)

    assert elsewhere.get(reverse("privacy:my-data")).status_code == 302
    assert api.get("/api/v1/me/").status_code == 401


def test_a_staff_persona_cannot_be_erased(staff_member: Any, client: Client) -> None:
    user = staff_member.user
    with pytest.raises(actions.ErasureRefused) as refused:
        actions.erase_account(by=user, confirm=True)
    assert "attributed to their role" in refused.value.messages[0]
    assert "Public Works" in refused.value.messages[0]
    assert User.objects.get(pk=user.pk).is_active

    api = APIClient()
    api.force_authenticate(user)
    response = api.post("/api/v1/me/erase/", {"confirm": True}, format="json")
    assert response.status_code == 403
    assert "administrator must first remove you" in response.json()["detail"]

    client.force_login(user)
    client.get("/")  # staff need a second factor first; the plan is still explained
    plan = actions.erasure_plan(user)
    assert plan.refusal


def test_erasing_twice_is_safe(alex_records: Records) -> None:
    user = alex_records.user
    actions.erase_account(by=user, confirm=True)
    with pytest.raises(PermissionDenied):
        actions.erase_account(by=user, confirm=True)

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {alex_records.token_key}")
    assert api.post("/api/v1/me/erase/", {"confirm": True}, format="json").status_code == 401
    stale = APIClient()
    stale.force_authenticate(User.objects.get(pk=user.pk))
    assert stale.post("/api/v1/me/erase/", {"confirm": True}, format="json").status_code == 404


def test_erasing_while_an_export_runs_cancels_it(
    alex_records: Records, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = alex_records.user
    job = actions.request_export(by=user)  # queued; its task runs after commit
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    actions.erase_account(by=user, confirm=True)
    assert not ExportJob.objects.filter(pk=job.pk).exists()
    assert actions.build_export(job_id=job.pk) == "skipped"
    assert mailoutbox == []


def test_an_export_cancelled_midway_leaves_no_file(
    alex_records: Records, media_root: Any, monkeypatch: Any
) -> None:
    job = actions.request_export(by=alex_records.user)
    real = actions._set_progress

    def erase_midway(job_id: int, per_cent: int) -> bool:
        ExportJob.objects.filter(pk=job_id).delete()
        return real(job_id, per_cent)

    monkeypatch.setattr(actions, "_set_progress", erase_midway)
    assert actions.build_export(job_id=job.pk) == "cancelled"
    exports = media_root / "privacy" / "exports"
    assert not exports.exists() or not any(exports.iterdir())


def test_api_erase_needs_confirm_true(alex_records: Records) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {alex_records.token_key}")
    for body in ({}, {"confirm": False}, {"confirm": "true"}, {"confirm": 1}, [True]):
        response = api.post("/api/v1/me/erase/", body, format="json")
        assert response.status_code == 400, body
        assert "confirm" in response.json()["errors"]
    assert (
        api.post("/api/v1/me/erase/", "{not json", content_type="application/json").status_code
        == 400
    )
    assert User.objects.get(pk=alex_records.user.pk).is_active

    response = api.post("/api/v1/me/erase/", {"confirm": True}, format="json")
    assert response.status_code == 200
    assert response.json()["pseudonym"].startswith("Former resident ")
    assert not User.objects.get(pk=alex_records.user.pk).is_active


def test_the_pseudonym_is_stable_and_keyed(settings: Any) -> None:
    first = actions.pseudonym_for(7)
    assert first == actions.pseudonym_for(7) != actions.pseudonym_for(8)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert actions.pseudonym_for(7) != first


def test_queued_emails_to_the_person_are_forgotten(alex_records: Records) -> None:
    """The database task queue keeps each task's arguments: the emails sent to the
    person carry their address, so those rows go with the account."""
    from django.utils import timezone

    result = apps.get_model("django_tasks_database", "DBTaskResult")
    fields = {
        "task_path": "townhall.identity.tasks.deliver_email",
        "queue_name": "default",
        "backend_name": "default",
        "run_after": timezone.now(),
        "exception_class_path": "",
        "traceback": "",
    }
    mine = result.objects.create(
        status="SUCCESSFUL",
        args_kwargs={"args": [], "kwargs": {"to": [alex_records.user.email], "subject": "Hi"}},
        **fields,
    )
    other = result.objects.create(
        status="SUCCESSFUL",
        args_kwargs={"args": [], "kwargs": {"to": ["bea@example.org"], "subject": "Hi"}},
        **fields,
    )
    actions.erase_account(by=alex_records.user, confirm=True)
    assert not result.objects.filter(pk=mine.pk).exists()
    assert result.objects.filter(pk=other.pk).exists()


def test_consultation_comments_are_exported_and_kept_under_the_pseudonym(
    alex_records: Records,
    citizen2: Any,
    staff_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime as dt
    import io
    import json
    import zipfile

    from django.utils import timezone

    from townhall.consultations import actions as consultations
    from townhall.consultations.models import Comment, CommentFlag

    now = timezone.now()
    consultation = consultations.create_consultation(
        by=staff_member.user,
        agency=staff_member.agency,
        title="Safer streets plan",
        summary="A draft plan for safer streets.",
        sections=[("Purpose", "Every street safe to cross on foot by 2030.")],
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
    )
    user = alex_records.user
    comment = consultations.post_comment(
        by=user, consultation=consultation, body="Please add more crossings near schools."
    )
    theirs = consultations.post_comment(by=citizen2, consultation=consultation, body="I like it.")
    consultations.flag_comment(by=user, comment=theirs, reason="Off topic, I think.")
    section = consultation.current_version.sections.get()
    consultations.set_support(by=user, section=section, stance="support", reason="Safer.")
    consultations.propose_amendment(by=user, section=section, text="By 2028.", reason="Sooner.")
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.request_export(by=user)
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        data = json.loads(zipfile.ZipFile(io.BytesIO(handle.read())).read("archive.json"))
    assert [c["body"] for c in data["consultation_comments"]] == [comment.body]
    assert [s["reason"] for s in data["consultation_supports"]] == ["Safer."]
    assert [a["text"] for a in data["amendments"]] == ["By 2028."]

    plan = actions.erasure_plan(user)
    assert plan.consultation_comments == 1
    actions.erase_account(by=user, confirm=True)
    kept = Comment.objects.select_related("author").get(pk=comment.pk)
    assert kept.body == comment.body and kept.author.display_name.startswith("Former resident")
    assert not CommentFlag.objects.filter(flagged_by=user).exists()


def test_a_private_request_others_depend_on_is_blanked_not_deleted(
    alex_records: Records,
    citizen2: Any,
    staff_member: Any,
    file_pothole: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.conversations.models import MessageRevision
    from townhall.service_requests.actions import mark_duplicate

    private = alex_records.private_request
    bea_report = file_pothole(by=citizen2)
    mark_duplicate(by=staff_member.user, request=bea_report, original=private)
    mine = Message.objects.filter(thread=private.thread, author=alex_records.user).first()
    MessageRevision.objects.create(
        message=mine, body="An earlier wording", written_at=mine.created_at
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = actions.erase_account(by=alex_records.user, confirm=True)

    kept = ServiceRequest.objects.get(pk=private.pk)
    assert result.kept_private_requests == 1 and result.deleted_private_requests == 0
    assert kept.description == actions.REMOVED_TEXT and kept.address == "" and kept.answers == {}
    assert set(
        Message.objects.filter(thread=kept.thread, author=alex_records.user).values_list(
            "body", flat=True
        )
    ) == {actions.REMOVED_TEXT}
    assert not MessageRevision.objects.filter(body="An earlier wording").exists()
    assert ServiceRequest.objects.get(pk=bea_report.pk).duplicate_of_id == private.pk
    assert not Attachment.objects.filter(pk=alex_records.attachment.pk).exists()
