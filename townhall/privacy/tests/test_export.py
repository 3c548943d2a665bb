"""A citizen downloads everything held about them: one zip with archive.json and their
files, built in the background with progress shown, emailed when ready, downloadable only
by them and only until it expires."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from townhall.conversations.models import Attachment
from townhall.privacy import actions
from townhall.privacy.archive import safe_file_name
from townhall.privacy.models import ExportJob, ExportStatus

from .conftest import LEGAL_NAME, Records

pytestmark = pytest.mark.django_db


def build(user: Any, capture: Any) -> ExportJob:
    with capture(execute=True):
        job = actions.request_export(by=user)
    job.refresh_from_db()
    return job


def open_zip(job: ExportJob) -> zipfile.ZipFile:
    with job.file.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def download(client: Client, job: ExportJob) -> Any:
    return client.get(reverse("privacy:export-download", kwargs={"token": job.token}))


def test_the_archive_holds_every_record_and_the_files(
    alex_records: Records, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    job = build(alex_records.user, django_capture_on_commit_callbacks)

    assert job.status == ExportStatus.READY and job.progress == 100
    assert job.expires_at - job.ready_at == timedelta(days=7)
    archive = open_zip(job)
    data = json.loads(archive.read("archive.json"))
    account = data["account"]
    assert account["email"] == "alex@example.org"
    assert account["display_name"] == "Alex Park"
    assert account["legal_name"] == LEGAL_NAME
    assert account["email_addresses"][0]["email"] == "alex@example.org"
    assert account["assurance_records"][0]["level"] == "email_verified"
    assert account["email_notifications"] == "daily"
    assert account["api_tokens"] == [
        {
            "name": "My script",
            "created_at": account["api_tokens"][0]["created_at"],
            "last_used_at": None,
            "revoked_at": None,
        }
    ]
    assert len(account["calendar_feeds"]) == 1
    raw = archive.read("archive.json").decode()
    assert alex_records.token_key not in raw and alex_records.token_key[:10] not in raw
    assert "token" not in json.dumps(account["calendar_feeds"])

    requests = {item["reference"]: item for item in data["service_requests"]}
    private = requests[alex_records.private_request.reference]
    assert private["public"] is False and private["answers"] == {"size": "large"}
    bodies = [message["body"] for message in private["messages"]]
    assert "It is getting deeper." in bodies and "We will fill it this week." in bodies
    assert {c["kind"] for c in private["commitments"]} >= {"acknowledge", "respond"}
    assert requests[alex_records.public_request.reference]["public"] is True

    assert [c["subject"] for c in data["conversations"]] == ["Parking permit"]
    assert data["conversations"][0]["messages"][0]["body"] == "Can I renew online?"
    posts = [post["body"] for post in data["discussion_posts"]]
    assert "Who clears the sidewalks?" in posts and "Thanks for the answers." in posts
    assert data["follows"][0]["id"] == str(alex_records.public_request.pk)
    assert data["notifications"], "staff replies notified Alex"
    assert any(
        item["verb"] == "request.filed" or "filed" in item["summary"] for item in data["activity"]
    )

    assert account["joined_up_view_consent"] is True
    [look] = data["access_log"]
    assert look["persona"].startswith("Sam Rivera") and look["reason"] == "answering your request"
    assert look["subject"] == alex_records.private_request.reference
    assert "viewer" not in look and "sam@example.org" not in raw

    attachment = alex_records.attachment
    [entry] = private["files"]
    stored = archive.read(entry["in_archive"])
    with attachment.file.open("rb") as handle:
        assert stored == handle.read()
    assert entry["in_archive"].startswith("files/")

    [email] = mailoutbox
    assert email.to == ["alex@example.org"]
    assert reverse("privacy:export-download", kwargs={"token": job.token}) in email.body


def test_the_email_is_in_the_owners_language(
    alex_records: Records, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    user = alex_records.user
    user.preferred_language = "es"
    user.save(update_fields=["preferred_language"])
    build(user, django_capture_on_commit_callbacks)
    assert mailoutbox[0].extra_headers["Content-Language"] == "es"


def test_hostile_file_names_stay_inside_the_files_folder(
    alex_records: Records, django_capture_on_commit_callbacks: Any
) -> None:
    hostile = [
        "../../../../etc/passwd",
        "..\\..\\windows\\system32\\evil.dll",
        "/absolute/path.txt",
        "<script>alert(1)</script>.png",
        "\x01ctrl\x1f.txt",
        "....",
        "a" * 190 + ".pdf",
    ]
    original = alex_records.attachment
    for index, name in enumerate(hostile):
        Attachment.objects.create(
            thread=original.thread,
            uploaded_by=alex_records.user,
            storage_key=f"hostile{index}",
            file=original.file.name,
            original_name=name,
            content_type="image/png",
            size=original.size,
        )
    job = build(alex_records.user, django_capture_on_commit_callbacks)

    names = open_zip(job).namelist()
    assert len([name for name in names if name.startswith("files/")]) == len(hostile) + 1
    for name in names:
        assert name == "archive.json" or name.startswith("files/")
        assert ".." not in name.split("/") and "\\" not in name and "\x00" not in name
        assert name.count("/") <= 1 and len(name) < 140
        assert "<" not in name


@pytest.mark.parametrize(
    ("given", "safe"),
    [("../../x.txt", "x.txt"), ("..", "file"), ("", "file"), ("a/b\\c.png", "c.png")],
)
def test_safe_file_names(given: str, safe: str) -> None:
    assert safe_file_name(given) == safe


def test_only_the_owner_downloads_and_only_before_expiry(
    alex_records: Records,
    citizen2: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    job = build(alex_records.user, django_capture_on_commit_callbacks)
    owner, other, anonymous = Client(), Client(), Client()
    owner.force_login(alex_records.user)
    other.force_login(citizen2)

    response = download(owner, job)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"

    assert download(other, job).status_code == 404
    assert download(anonymous, job).status_code == 302  # to sign in, then 404 for others
    assert (
        owner.get(reverse("privacy:export-download", kwargs={"token": "nope"})).status_code == 404
    )

    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert download(owner, job).status_code == 404
    assert actions.expire_exports() == 1
    job.refresh_from_db()
    assert job.status == ExportStatus.EXPIRED and not job.file
    assert download(owner, job).status_code == 404


def test_asking_twice_while_building_returns_the_same_job(citizen: Any) -> None:
    first = actions.request_export(by=citizen)  # the task runs after commit: still queued
    second = actions.request_export(by=citizen)
    assert first.pk == second.pk
    assert ExportJob.objects.filter(owner=citizen).count() == 1


def test_a_job_built_twice_is_built_once(
    citizen: Any, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    job = build(citizen, django_capture_on_commit_callbacks)
    assert actions.build_export(job_id=job.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_the_page_shows_progress_and_the_download_link(
    client: Client, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(citizen)
    page = reverse("privacy:my-data")
    assert client.get(page).status_code == 200

    response = client.post(reverse("privacy:export-request"))
    assert response.status_code == 302
    job = ExportJob.objects.get(owner=citizen)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress=40)
    html = client.get(page).content.decode()
    assert 'value="40"' in html and "hx-trigger" in html
    assert "Refresh to see the progress" in html  # works without JavaScript

    status = reverse("privacy:export-status", kwargs={"token": job.token})
    fragment = client.get(status, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert client.get(status).status_code == 302  # without htmx: the page

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED, progress=0)
    actions.build_export(job_id=job.pk)
    html = client.get(page).content.decode()
    assert reverse("privacy:export-download", kwargs={"token": job.token}) in html
    assert "hx-trigger" not in html


def test_someone_elses_status_is_404(client: Client, citizen: Any, citizen2: Any) -> None:
    job = actions.request_export(by=citizen)
    client.force_login(citizen2)
    status = reverse("privacy:export-status", kwargs={"token": job.token})
    assert client.get(status, HTTP_HX_REQUEST="true").status_code == 404


def test_visitors_are_sent_to_sign_in(client: Client) -> None:
    assert client.get(reverse("privacy:my-data")).status_code == 302
    assert client.post(reverse("privacy:export-request")).status_code == 302


# --- REST ----------------------------------------------------------------------------------
def test_api_export_answers_202_then_reports_progress_and_the_download(
    alex_records: Records, citizen2: Any, django_capture_on_commit_callbacks: Any
) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {alex_records.token_key}")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post("/api/v1/me/export/")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0
    assert "download_url" not in body
    status_url = body["status_url"]
    assert response["Location"] == status_url

    for callback in callbacks:
        callback()
    ready = api.get(status_url).json()
    assert ready["status"] == "ready" and ready["progress"] == 100
    archive = api.get(ready["download_url"])
    assert archive.status_code == 200
    assert b"".join(archive.streaming_content)[:2] == b"PK"

    other = APIClient()
    other.force_authenticate(citizen2)
    assert other.get(status_url).status_code == 404
    assert other.get(ready["download_url"]).status_code == 404
    assert APIClient().post("/api/v1/me/export/").status_code in (401, 403)


def test_the_expire_command_deletes_old_archives(
    citizen: Any, django_capture_on_commit_callbacks: Any, media_root: Any
) -> None:
    from django.core.management import call_command

    job = build(citizen, django_capture_on_commit_callbacks)
    path = media_root / job.file.name
    assert path.exists()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now())
    out = io.StringIO()
    call_command("expire_exports", stdout=out)
    assert "1 archives expired" in out.getvalue() and not path.exists()


def test_five_archives_a_day_at_most(
    client: Client, citizen: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for _ in range(actions.EXPORTS_PER_DAY):
        build(citizen, django_capture_on_commit_callbacks)
    with pytest.raises(actions.ExportLimitReached):
        actions.request_export(by=citizen)
    client.force_login(citizen)
    page = client.post(reverse("privacy:export-request"), follow=True)
    assert b"try again tomorrow" in page.content
    api = APIClient()
    api.force_authenticate(citizen)
    response = api.post("/api/v1/me/export/")
    assert response.status_code == 429 and "tomorrow" in response.json()["detail"]
    assert ExportJob.objects.filter(owner=citizen).count() == actions.EXPORTS_PER_DAY


@given(st.text(max_size=400))
def test_any_file_name_becomes_a_safe_one(name: str) -> None:
    safe = safe_file_name(name)
    assert safe and len(safe) <= 100
    assert "/" not in safe and "\\" not in safe and not safe.startswith(".")
    assert all(char.isprintable() for char in safe)
