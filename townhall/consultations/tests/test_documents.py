"""Documents attached to a consultation: staff of the owning agency add and withdraw them,
whoever may read the consultation downloads them (as attachments, never shown inline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from townhall.activity.actions import follow
from townhall.activity.models import Activity, Notification
from townhall.consultations.documents import attach_document, withdraw_document
from townhall.consultations.models import Document
from townhall.conversations.tests.sample_files import image_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TEXT = b"Injuries by year\n2024: 63\n2025: 59\n"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Iterator[Path]:
    """A media folder of the test's own (nothing is written under var/)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    yield root


def _files_in(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


def _upload(name: str, content: bytes, content_type: str = "application/pdf") -> Any:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _new_url(consultation: Any) -> str:
    return f"/consultations/{consultation.pk}/documents/new/"


def _download_url(document: Any) -> str:
    return f"/consultations/{document.consultation_id}/documents/{document.pk}/"


def _post(client: Any, consultation: Any, title: str, upload: Any) -> Any:
    data = {"title": title}
    if upload is not None:
        data["file"] = upload
    return client.post(_new_url(consultation), data)


def _attach(staff_member: Any, consultation: Any, title: str = "Impact assessment") -> Document:
    return attach_document(
        by=staff_member.user,
        consultation=consultation,
        title=title,
        upload=_upload("impact.pdf", PDF),
    )


# --- adding and downloading ------------------------------------------------------------------


def test_staff_add_a_document_that_the_public_lists_and_downloads(
    client, sign_in_staff, staff_member, consultation, media_root
) -> None:
    staff = sign_in_staff(staff_member.user)
    form = staff.get(_new_url(consultation))
    assert form.status_code == 200
    assert 'enctype="multipart/form-data"' in form.content.decode()
    response = _post(
        staff,
        consultation,
        "  Road injuries,\n 2021 to 2025 ",
        _upload("injuries.txt", TEXT, "text/plain"),
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/consultations/{consultation.pk}/#documents-heading")
    document = Document.objects.get()
    assert document.title == "Road injuries, 2021 to 2025"
    assert document.uploaded_by == staff_member.user
    # Stored under the random key, inside the media folder, not under the name given.
    stored = Path(document.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.name == document.storage_key and len(document.storage_key) == 32
    assert "injuries" not in str(document.file.name)

    client.logout()
    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert 'id="documents-heading"' in page
    assert "Road injuries, 2021 to 2025" in page
    assert f"(Text, {len(TEXT)} bytes)" in page
    assert _download_url(document) in page
    assert "Add a document" not in page

    download = client.get(_download_url(document))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    assert 'filename="injuries.txt"' in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert b"".join(download.streaming_content) == TEXT


def test_staff_see_the_add_link_and_an_empty_list_the_public_sees_nothing(
    client, sign_in_staff, staff_member, consultation
) -> None:
    public = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "documents-heading" not in public
    staff = sign_in_staff(staff_member.user).get(f"/consultations/{consultation.pk}/")
    page = staff.content.decode()
    assert "No documents yet." in page
    assert f'href="{_new_url(consultation)}"' in page


def test_followers_are_told_a_document_was_added(
    citizen, staff_member, consultation, django_capture_on_commit_callbacks
) -> None:
    follow(by=citizen, target=consultation)
    with django_capture_on_commit_callbacks(execute=True):
        document = _attach(staff_member, consultation)
    activity = Activity.objects.get(verb="consultation.document_added")
    assert activity.visibility == "public"
    assert document.title in activity.summary
    notification = Notification.objects.get(recipient=citizen, activity=activity)
    assert "documents-heading" in (notification.url or "")


def test_a_photo_is_re_encoded_without_its_camera_data(staff_member, consultation) -> None:
    photo = image_bytes("JPEG", gps=True)
    assert b"Phonemaker" in photo
    document = attach_document(
        by=staff_member.user,
        consultation=consultation,
        title="Map of the crossings",
        upload=_upload("map.jpeg", photo, "image/jpeg"),
    )
    assert document.content_type == "image/jpeg"
    with document.file.open("rb") as stored:
        kept = stored.read()
    assert kept.startswith(b"\xff\xd8\xff") and b"Phonemaker" not in kept
    assert document.size == len(kept)


# --- who may add and withdraw ----------------------------------------------------------------


def test_a_citizen_cannot_add_a_document(client, citizen, consultation, media_root) -> None:
    client.force_login(citizen)
    assert client.get(_new_url(consultation)).status_code == 403
    response = _post(client, consultation, "Mine", _upload("mine.pdf", PDF))
    assert response.status_code == 403
    assert not Document.objects.exists()
    assert _files_in(media_root) == []
    with pytest.raises(PermissionDenied):
        attach_document(
            by=citizen, consultation=consultation, title="Mine", upload=_upload("m.pdf", PDF)
        )
    assert _files_in(media_root) == []


def test_a_visitor_is_sent_to_sign_in(client, consultation) -> None:
    response = _post(client, consultation, "Mine", _upload("mine.pdf", PDF))
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Document.objects.exists()


def test_staff_of_another_agency_cannot_add_or_withdraw(
    staff_client_for, other_staff, staff_member, consultation, media_root
) -> None:
    document = _attach(staff_member, consultation)
    files_before = _files_in(media_root)
    parks = staff_client_for(other_staff.user)
    assert _post(parks, consultation, "Ours", _upload("ours.pdf", PDF)).status_code == 403
    withdraw = parks.post(f"{_download_url(document)}withdraw/", {"reason": "Not yours"})
    assert withdraw.status_code == 403
    assert Document.objects.count() == 1
    document.refresh_from_db()
    assert not document.is_withdrawn
    assert _files_in(media_root) == files_before
    with pytest.raises(PermissionDenied):
        withdraw_document(by=other_staff.user, document=document, reason="Not yours")


def test_a_citizen_cannot_withdraw(client, citizen, staff_member, consultation) -> None:
    document = _attach(staff_member, consultation)
    client.force_login(citizen)
    assert client.post(f"{_download_url(document)}withdraw/", {"reason": "x"}).status_code == 403
    assert client.get(_download_url(document)).status_code == 200


# --- drafts and withdrawn documents ----------------------------------------------------------


def test_a_draft_consultations_document_is_hidden_from_the_public(
    client, citizen, sign_in_staff, staff_member, make_consultation
) -> None:
    draft = make_consultation(published_at=timezone.now() + dt.timedelta(days=5))
    document = _attach(staff_member, draft)
    assert Activity.objects.get(verb="consultation.document_added").visibility == "staff"
    assert client.get(_download_url(document)).status_code == 404
    client.force_login(citizen)
    assert client.get(_download_url(document)).status_code == 404
    assert client.get(_new_url(draft)).status_code == 404
    staff = sign_in_staff(staff_member.user)
    assert staff.get(_download_url(document)).status_code == 200


def test_a_withdrawn_document_is_kept_but_no_longer_listed_or_served(
    client, sign_in_staff, staff_member, consultation
) -> None:
    kept = _attach(staff_member, consultation, title="Current rules")
    gone = _attach(staff_member, consultation, title="Old impact assessment")
    staff = sign_in_staff(staff_member.user)
    missing_reason = staff.post(f"{_download_url(gone)}withdraw/", {"reason": "  "})
    assert missing_reason.status_code == 302
    gone.refresh_from_db()
    assert not gone.is_withdrawn
    response = staff.post(
        f"{_download_url(gone)}withdraw/",
        {"reason": "Replaced by the 2026 assessment"},
        follow=True,
    )
    assert "is withdrawn" in response.content.decode()
    gone.refresh_from_db()
    assert gone.is_withdrawn and Path(gone.file.path).exists()
    activity = Activity.objects.get(verb="consultation.document_withdrawn")
    assert "Replaced by the 2026 assessment" in activity.summary
    # Withdrawing again: the document is no longer there to withdraw.
    assert staff.post(f"{_download_url(gone)}withdraw/", {"reason": "again"}).status_code == 404

    client.logout()
    assert client.get(_download_url(gone)).status_code == 404
    assert client.get(_download_url(kept)).status_code == 200
    page = client.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "Current rules" in page and "Old impact assessment" not in page
    body = client.get(f"/api/v1/consultations/{consultation.pk}/").json()
    assert [d["title"] for d in body["documents"]] == ["Current rules"]


def test_a_document_of_another_consultation_is_not_found(
    client, staff_member, consultation, make_consultation
) -> None:
    other = make_consultation(title="Another plan")
    document = _attach(staff_member, other)
    url = f"/consultations/{consultation.pk}/documents/{document.pk}/"
    assert client.get(url).status_code == 404


# --- bad files and bad titles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.pdf.exe", PDF, "a.pdf.exe is a kind of file that can&#x27;t be attached."),
        (
            "report.pdf",
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "does not look like a PDF document",
        ),
        ("notes.txt", b"<html><body onload=alert(1)>", "does not look like plain text"),
        ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "SVG drawing"),
        ("../../etc/passwd", b"\x7fELF\x02\x01\x01\x00binary", "passwd is not a plain text file"),
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("photo.jpg", PDF, "does not look like a photo"),
    ],
)
def test_hostile_or_wrong_files_are_refused_with_a_clear_message(
    sign_in_staff, staff_member, consultation, media_root, name, content, message
) -> None:
    staff = sign_in_staff(staff_member.user)
    response = _post(staff, consultation, "A document", _upload(name, content))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "usa-form-group--error" in page
    assert not Document.objects.exists()
    assert _files_in(media_root) == []


def test_a_path_in_the_file_name_is_dropped(staff_member, consultation, media_root) -> None:
    document = attach_document(
        by=staff_member.user,
        consultation=consultation,
        title="Notes",
        upload=_upload("../../etc/passwd", TEXT, "text/plain"),
    )
    assert document.original_name == "passwd.txt"
    assert Path(document.file.path).is_relative_to(media_root)
    assert not Path("/etc/passwd.txt").exists()


def test_a_file_too_big_is_refused_with_the_limit(
    settings, sign_in_staff, staff_member, consultation, media_root
) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024
    staff = sign_in_staff(staff_member.user)
    response = _post(staff, consultation, "Huge", _upload("huge.pdf", PDF + b"0" * 4096))
    assert response.status_code == 400
    assert "huge.pdf is 4.1 KB; files can be at most 2 KB." in response.content.decode()
    assert not Document.objects.exists()
    assert _files_in(media_root) == []


@pytest.mark.parametrize(
    ("title", "upload", "message"),
    [
        ("", _upload("a.pdf", PDF), "Give the document a title."),
        ("A title", None, "Choose a file to attach."),
        ("x" * 201, _upload("a.pdf", PDF), "at most 200 characters"),
    ],
)
def test_a_missing_title_or_file_is_refused(
    sign_in_staff, staff_member, consultation, title, upload, message
) -> None:
    staff = sign_in_staff(staff_member.user)
    response = _post(staff, consultation, title, upload)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Document.objects.exists()


def test_the_action_refuses_a_blank_title(staff_member, consultation, media_root) -> None:
    with pytest.raises(ValidationError) as refused:
        attach_document(
            by=staff_member.user,
            consultation=consultation,
            title=" \n\t ",
            upload=_upload("a.pdf", PDF),
        )
    assert refused.value.message_dict == {"title": ["Give the document a title."]}
    assert _files_in(media_root) == []


# --- API and query counts --------------------------------------------------------------------


def test_api_detail_lists_documents_with_absolute_download_urls(
    client, staff_member, consultation
) -> None:
    document = _attach(staff_member, consultation)
    body = client.get(f"/api/v1/consultations/{consultation.pk}/").json()
    assert body["id"] == consultation.pk and body["sections"]  # the other fields stay
    assert body["documents"] == [
        {
            "id": document.pk,
            "title": "Impact assessment",
            "content_type": "application/pdf",
            "size": len(PDF),
            "url": f"http://testserver{_download_url(document)}",
        }
    ]
    download = client.get(body["documents"][0]["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


def test_api_detail_query_count_does_not_grow_with_documents(
    client, staff_member, consultation, django_assert_max_num_queries
) -> None:
    _attach(staff_member, consultation, title="Document 0")
    url = f"/api/v1/consultations/{consultation.pk}/"
    with django_assert_max_num_queries(30) as few:
        assert len(client.get(url).json()["documents"]) == 1
    for n in range(1, 5):
        _attach(staff_member, consultation, title=f"Document {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).json()["documents"]) == 5


def test_detail_page_query_count_does_not_grow_with_documents(
    client, sign_in_staff, staff_member, consultation, django_assert_max_num_queries
) -> None:
    _attach(staff_member, consultation, title="Document 0")
    url = f"/consultations/{consultation.pk}/"
    with django_assert_max_num_queries(40) as few:
        assert client.get(url).content.decode().count("/documents/") == 1
    for n in range(1, 5):
        _attach(staff_member, consultation, title=f"Document {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).content.decode().count("/documents/") == 5


# --- the demo --------------------------------------------------------------------------------


def test_the_demo_open_consultation_has_a_document(client) -> None:
    from django.core.management import call_command

    from townhall.consultations.models import Consultation

    call_command("demo", verbosity=0)
    call_command("demo_consultations", verbosity=0)
    open_one = Consultation.objects.get(title="Safer streets plan")
    document = Document.objects.get(consultation=open_one)
    assert document.content_type.startswith("text/plain")
    page = client.get(f"/consultations/{open_one.pk}/").content.decode()
    assert document.title in page
    download = client.get(_download_url(document))
    assert b"Injuries on Springfield streets" in b"".join(download.streaming_content)


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_add_a_document_in_the_browser_and_the_pages_pass_axe(
    staff_member, consultation, browser_page, axe_check, tmp_path
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from townhall.browser_tests.test_conversation_with_staff import sign_in_with_second_factor

    page = browser_page
    secret = generate_totp_secret()
    TOTP.activate(staff_member.user, secret)
    sign_in_with_second_factor(page, staff_member.user.email, secret)
    page.goto(f"/consultations/{consultation.pk}/")
    axe_check(page)
    page.get_by_role("link", name="Add a document").click()
    page.wait_for_url("**/documents/new/")
    axe_check(page)
    page.get_by_role("button", name="Add the document").click()  # nothing filled in
    page.wait_for_url("**/documents/new/")
    assert page.locator(".usa-alert--error").count() == 1
    axe_check(page)
    page.get_by_label("Title").fill("Injuries by year")
    sample = tmp_path / "injuries.txt"
    sample.write_bytes(TEXT)
    page.get_by_label("File").set_input_files(str(sample))
    page.get_by_role("button", name="Add the document").click()
    page.wait_for_url(f"**/consultations/{consultation.pk}/**")
    assert page.get_by_role("link", name="Injuries by year").count() == 1
    axe_check(page)
    assert Document.objects.get().original_name == "injuries.txt"
