"""Checked files are stored under a random key and served back only as a download that a
browser will neither display nor run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.http import Http404
from django.urls import path

from townhall.conversations.actions import post_message
from townhall.conversations.attachments import (
    CheckedFile,
    attachment_response,
    check_upload,
    check_uploads,
    store_attachments,
)
from townhall.conversations.models import Attachment, Thread, ThreadKind

from .sample_files import image_bytes, upload

PDF = b"%PDF-1.4\n%%EOF\n"


def _content(response: Any) -> bytes:
    content = b"".join(response.streaming_content)
    response.close()
    return content


def test_files_are_stored_under_a_random_key_in_the_media_folder(
    thread: Thread, citizen: Any, media_root: Path
) -> None:
    files = check_uploads([upload("../../etc/passwd.txt", b"hello"), upload("a.pdf", PDF)])
    first, second = store_attachments(thread=thread, uploaded_by=citizen, files=files)

    assert first.original_name == "passwd.txt"
    assert (first.content_type, first.size) == ("text/plain; charset=utf-8", 5)
    assert len(first.storage_key) == 32 and first.storage_key != second.storage_key
    stored = Path(first.file.path)
    assert stored.is_relative_to(media_root)
    assert stored.name == first.storage_key  # the name people gave never reaches the disk
    assert stored.read_bytes() == b"hello"
    assert Path(second.file.path).read_bytes() == PDF
    assert (first.thread, first.message, first.uploaded_by, first.is_internal) == (
        thread,
        None,
        citizen,
        False,
    )


def test_a_photo_is_stored_as_re_encoded(thread: Thread, citizen: Any) -> None:
    checked = check_upload(upload("p.jpg", image_bytes("JPEG", gps=True)))
    [attachment] = store_attachments(thread=thread, uploaded_by=citizen, files=[checked])
    assert Path(attachment.file.path).read_bytes() == checked.data
    assert attachment.size == len(checked.data)  # type: ignore[arg-type]


def test_an_unchecked_file_cannot_be_stored(thread: Thread, citizen: Any) -> None:
    with pytest.raises(TypeError):
        store_attachments(thread=thread, uploaded_by=citizen, files=[upload("a.html", b"<p>")])
    assert not Attachment.objects.exists()


def test_a_message_of_another_thread_is_refused(thread: Thread, citizen: Any, agency: Any) -> None:
    other = Thread.objects.create(kind=ThreadKind.REQUEST, agency=agency)
    message = post_message(thread=other, author=citizen, body="Hi")
    with pytest.raises(ValueError):
        store_attachments(thread=thread, message=message, uploaded_by=citizen, files=[])


def test_files_of_an_internal_note_are_internal(thread: Thread, staff_member: Any) -> None:
    note = post_message(
        thread=thread, author=staff_member.user, persona=staff_member, body="x", is_internal=True
    )
    [attachment] = store_attachments(
        thread=thread,
        message=note,
        uploaded_by=staff_member.user,
        files=[check_upload(upload("n.txt", b"n"))],
    )
    assert attachment.is_internal


def _stored(thread: Thread, citizen: Any, name: str, content: bytes) -> Attachment:
    [attachment] = store_attachments(
        thread=thread, uploaded_by=citizen, files=[check_upload(upload(name, content))]
    )
    return attachment


def test_a_download_is_an_attachment_that_is_never_sniffed_or_run(
    thread: Thread, citizen: Any
) -> None:
    attachment = _stored(thread, citizen, "Report 2026.pdf", PDF)
    response = attachment_response(attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Report 2026.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"] == "private"
    assert response["Content-Length"] == str(len(PDF))
    assert _content(response) == PDF


def test_a_non_ascii_name_is_encoded_in_the_download_header(thread: Thread, citizen: Any) -> None:
    attachment = _stored(thread, citizen, "Straßenschäden – Foto.jpg", image_bytes())
    response = attachment_response(attachment)
    disposition = response["Content-Disposition"]
    assert disposition.isascii()
    assert disposition == (
        "attachment; filename*=utf-8''Stra%C3%9Fensch%C3%A4den%20%E2%80%93%20Foto.jpg"
    )
    assert response["Content-Type"] == "image/jpeg"
    _content(response)


def test_a_name_with_quotes_and_new_lines_cannot_break_the_header(
    thread: Thread, citizen: Any
) -> None:
    attachment = _stored(thread, citizen, 'a"b\r\nSet-Cookie: x=1;.txt', b"text")
    # Even a name that reached the database some other way is cleaned on the way out.
    attachment.original_name = 'a"b\r\nX-Evil: 1.txt'
    response = attachment_response(attachment)
    disposition = response["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition == 'attachment; filename="a_b X-Evil_ 1.txt"'
    _content(response)


def test_an_attachment_without_a_type_is_served_as_plain_bytes(
    thread: Thread, citizen: Any
) -> None:
    attachment = _stored(thread, citizen, "a.txt", b"x")
    attachment.content_type = ""
    response = attachment_response(attachment)
    assert response["Content-Type"] == "application/octet-stream"
    _content(response)


def test_a_file_missing_from_storage_gives_not_found(thread: Thread, citizen: Any) -> None:
    attachment = _stored(thread, citizen, "a.txt", b"x")
    Path(attachment.file.path).unlink()
    with pytest.raises(Http404):
        attachment_response(attachment)


def test_a_checked_file_from_a_plain_file_object_can_be_stored(
    thread: Thread, citizen: Any
) -> None:
    import io

    checked = CheckedFile(name="a.txt", content_type="text/plain", size=3, data=io.BytesIO(b"abc"))
    [attachment] = store_attachments(thread=thread, uploaded_by=citizen, files=[checked])
    assert Path(attachment.file.path).read_bytes() == b"abc"


def download(request: Any, pk: int) -> Any:
    """A bare download view, as an owning app would write it (after its own checks)."""
    return attachment_response(Attachment.objects.get(pk=pk))


urlpatterns = [path("files/<int:pk>/", download)]


@pytest.mark.urls(__name__)
def test_the_site_middleware_keeps_the_download_headers(
    client: Any, thread: Thread, citizen: Any
) -> None:
    attachment = _stored(thread, citizen, "page.txt", b"<b>not html</b>")
    response = client.get(f"/files/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="page.txt"'
    assert _content(response) == b"<b>not html</b>"
