"""Uploaded files are judged by their content: too big, empty, the wrong kind, or content
that doesn't match the name are refused with a message naming the file."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from PIL import ExifTags, Image

from townhall.conversations.attachments import (
    NAME_MAX_LENGTH,
    CheckedFile,
    check_upload,
    check_uploads,
    format_size,
    safe_name,
)

from .sample_files import GPS_NORTH, image_bytes, upload

MB = 1024 * 1024
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


def refusal(file: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        check_upload(file)
    return " ".join(caught.value.messages)


class NeverRead(UploadedFile):
    """An upload that says how big it is and fails the test if anything reads it."""

    def __init__(self, name: str, size: int) -> None:
        super().__init__(file=io.BytesIO(), name=name, content_type="image/jpeg", size=size)

    def read(self, *args: Any) -> bytes:
        raise AssertionError("the file was read")

    def chunks(self, chunk_size: int | None = None) -> Any:
        raise AssertionError("the file was read")

    def open(self, mode: str | None = None) -> Any:
        raise AssertionError("the file was opened")


# --- size --------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_before_a_byte_is_read() -> None:
    message = refusal(NeverRead("holiday video.jpg", 50 * MB))
    assert message == "holiday video.jpg is 50 MB; files can be at most 10 MB."


def test_a_50_mb_file_on_disk_is_refused_from_its_size(monkeypatch: Any) -> None:
    big = TemporaryUploadedFile("scan.pdf", "application/pdf", 50 * MB, None)
    big.write(b"%PDF-1.7\n")
    big.file.truncate(50 * MB)  # sparse: the disk holds almost nothing
    big.size = 50 * MB
    monkeypatch.setattr(big, "chunks", lambda *a, **k: pytest.fail("the file was read"))
    try:
        assert refusal(big) == "scan.pdf is 50 MB; files can be at most 10 MB."
    finally:
        big.close()


def test_a_file_just_at_the_limit_is_accepted(settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1000
    content = b"x" * 1000
    assert check_upload(upload("notes.txt", content)).size == 1000
    assert (
        refusal(upload("notes.txt", content + b"x"))
        == "notes.txt is 1001 bytes; files can be at most 1000 bytes."
    )


def test_a_file_whose_size_lies_is_refused_while_it_is_read(settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100_000
    liar = upload("notes.txt", b"a" * 300_000)
    liar.size = 10
    assert refusal(liar).startswith("notes.txt is ")


def test_an_empty_file_is_refused() -> None:
    assert refusal(upload("photo.jpg", b"")) == "photo.jpg is empty."


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (999, "999 bytes"),
        (1536, "1.5 KB"),
        (10 * MB, "10 MB"),
        (52_000_000, "49.6 MB"),
    ],
)
def test_sizes_are_shown_as_people_read_them(size: int, shown: str) -> None:
    assert format_size(size) == shown


# --- kinds of file -----------------------------------------------------------------------


def test_an_html_page_named_jpg_is_refused() -> None:
    message = refusal(upload("cute-cat.jpg", HTML, "image/jpeg"))
    assert "cute-cat.jpg does not look like a photo" in message
    assert "web page" in message


def test_an_html_page_named_pdf_or_txt_is_refused() -> None:
    assert "does not look like a PDF document" in refusal(upload("form.pdf", HTML))
    assert "does not look like plain text" in refusal(upload("notes.txt", HTML))


@pytest.mark.parametrize("name", ["drawing.svg", "drawing.SVG"])
def test_svg_drawings_are_refused_because_they_can_carry_scripts(name: str) -> None:
    message = refusal(upload(name, SVG, "image/svg+xml"))
    assert "SVG" in message and "scripts" in message


def test_an_svg_drawing_renamed_to_png_or_txt_is_refused() -> None:
    assert "does not look like a photo" in refusal(upload("drawing.png", SVG, "image/png"))
    assert "does not look like plain text" in refusal(upload("drawing.txt", SVG))


@pytest.mark.parametrize("name", ["page.html", "run.exe", "letter.docx", "macro.js", "a.php"])
def test_other_kinds_of_file_are_refused_saying_what_is_allowed(name: str) -> None:
    message = refusal(upload(name, b"MZ\x90\x00 anything"))
    assert f"{name} is a kind of file that can't be attached." in message
    assert "You can attach photos (JPEG, PNG, GIF or WebP), PDF documents" in message


def test_the_browsers_content_type_is_not_trusted() -> None:
    checked = check_upload(upload("report.pdf", PDF, "text/html"))
    assert checked.content_type == "application/pdf"
    assert "does not look like a photo" in refusal(upload("x.jpg", HTML, "image/jpeg"))


def test_a_pdf_is_accepted_as_sent() -> None:
    checked = check_upload(upload("Report 2026.pdf", PDF, "application/pdf"))
    assert (checked.name, checked.content_type, checked.size) == (
        "Report 2026.pdf",
        "application/pdf",
        len(PDF),
    )


def test_a_pdf_named_jpg_is_refused() -> None:
    assert "its content is a PDF document" in refusal(upload("scan.jpg", PDF))


def test_utf8_text_and_csv_files_are_accepted() -> None:
    text = check_upload(upload("notes.txt", "Café on Main St. — broken bench\n".encode()))
    assert text.content_type == "text/plain; charset=utf-8"
    csv = check_upload(upload("counts.CSV", "\ufeffstreet,holes\nMain,3\n".encode()))
    assert (csv.name, csv.content_type) == ("counts.csv", "text/csv; charset=utf-8")


def test_text_with_a_nul_character_is_refused() -> None:
    message = refusal(upload("notes.txt", b"hello\x00world"))
    assert message == "notes.txt is not a plain text file (it contains NUL characters)."


def test_text_that_is_not_utf8_is_refused() -> None:
    assert "is not UTF-8 text" in refusal(upload("notes.txt", "Café".encode("latin-1")))


def test_a_utf8_character_split_between_chunks_is_fine(monkeypatch: Any) -> None:
    from townhall.conversations import attachments

    monkeypatch.setattr(attachments, "CHUNK_SIZE", 3)
    assert check_upload(upload("notes.txt", "aé€😀".encode() * 5)).size == 50


def test_a_file_without_an_extension_is_named_after_its_content() -> None:
    assert check_upload(upload("IMG_0001", image_bytes("JPEG"))).name == "IMG_0001.jpg"
    assert check_upload(upload("scan", PDF)).name == "scan.pdf"
    assert check_upload(upload("notes", b"just words")).name == "notes.txt"
    assert "can't be attached" in refusal(upload("page", HTML))


# --- photos --------------------------------------------------------------------------------


def _exif_of(data: bytes) -> Image.Exif:
    with Image.open(io.BytesIO(data)) as image:
        return image.getexif()


def test_a_jpeg_with_gps_position_is_stored_without_any_exif() -> None:
    original = image_bytes("JPEG", gps=True)
    gps = _exif_of(original).get_ifd(ExifTags.IFD.GPSInfo)  # the test photo does carry it
    assert gps[ExifTags.GPS.GPSLatitude] == GPS_NORTH

    checked = check_upload(upload("pothole.jpg", original, "image/jpeg"))

    assert isinstance(checked.data, bytes)
    assert checked.content_type == "image/jpeg"
    assert checked.size == len(checked.data)
    assert len(_exif_of(checked.data)) == 0
    assert b"Exif" not in checked.data
    assert b"Phonemaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.format == "JPEG"
        assert image.size == (40, 20)
        assert "exif" not in image.info


def test_a_photo_is_turned_the_way_the_camera_held_it() -> None:
    # Orientation 6: the camera was turned; the stored pixels are sideways.
    checked = check_upload(upload("sideways.jpg", image_bytes("JPEG", orientation=6)))
    assert isinstance(checked.data, bytes)
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.size == (20, 40)
        assert len(image.getexif()) == 0


def test_a_jpeg_comment_is_dropped() -> None:
    original = image_bytes("JPEG", comment="taken at 12 Elm St")
    assert b"12 Elm St" in original
    checked = check_upload(upload("a.jpg", original))
    assert isinstance(checked.data, bytes)
    assert b"12 Elm St" not in checked.data


def test_png_text_and_exif_chunks_are_dropped() -> None:
    original = image_bytes("PNG", gps=True, comment="home address: 12 Elm St")
    assert b"12 Elm St" in original and b"eXIf" in original
    checked = check_upload(upload("screenshot.png", original, "image/png"))
    assert isinstance(checked.data, bytes)
    assert checked.content_type == "image/png"
    assert b"12 Elm St" not in checked.data
    assert b"eXIf" not in checked.data and b"Phonemaker" not in checked.data


def test_a_webp_photo_loses_its_exif() -> None:
    original = image_bytes("WEBP", gps=True)
    assert b"Phonemaker" in original
    checked = check_upload(upload("photo.webp", original))
    assert isinstance(checked.data, bytes)
    assert checked.content_type == "image/webp"
    assert b"Phonemaker" not in checked.data and b"EXIF" not in checked.data


def test_a_gif_is_kept_as_a_png_without_its_comment() -> None:
    original = image_bytes("GIF", comment="secret place")
    assert b"secret place" in original
    checked = check_upload(upload("funny.gif", original, "image/gif"))
    assert isinstance(checked.data, bytes)
    assert (checked.name, checked.content_type) == ("funny.png", "image/png")
    assert b"secret place" not in checked.data


def test_a_png_named_jpg_is_accepted_under_the_right_name() -> None:
    checked = check_upload(upload("photo.jpg", image_bytes("PNG")))
    assert (checked.name, checked.content_type) == ("photo.png", "image/png")


def test_a_transparent_png_keeps_its_transparency() -> None:
    original = io.BytesIO()
    Image.new("RGBA", (4, 4), (255, 0, 0, 0)).save(original, "PNG")
    checked = check_upload(upload("icon.png", original.getvalue()))
    assert isinstance(checked.data, bytes)
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.mode == "RGBA"
        assert image.getpixel((0, 0))[3] == 0


def test_a_damaged_photo_is_refused() -> None:
    broken = image_bytes("JPEG")[:40]
    message = refusal(upload("broken.jpg", broken))
    assert message.startswith("broken.jpg could not be read as a photo.")


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded() -> None:
    # 8000 × 8000 black and white: a few kilobytes to send, 192 MB once decoded as RGB.
    bomb = image_bytes("PNG", size=(8000, 8000), mode="1")
    assert len(bomb) < 100_000
    message = refusal(upload("bomb.png", bomb))
    assert message == "bomb.png is 8000 × 8000 pixels; photos can be at most 60 megapixels."


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system.ini", "system.ini"),
        ("/var/www/shell.php", "shell.php"),
        ("C:evil.txt", "C_evil.txt"),
        ("report\x00.pdf", "report.pdf"),
        ("evil.html\x00.jpg", "evil.html.jpg"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("two\r\nSet-Cookie: x=1.txt", "two Set-Cookie_ x=1.txt"),
        ('say "hi".txt', "say _hi_.txt"),
        ("  spaced \t out .txt", "spaced out.txt"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        (None, "file"),
        ("/", "file"),
        ("Straßenschäden – Foto.JPG", "Straßenschäden – Foto.jpg"),
        ("写真.png", "写真.png"),
        ("e\u0301cole.txt", "\u00e9cole.txt"),
        ("Main St. near the school", "Main St. near the school"),
    ],
)
def test_file_names_are_made_safe(given: Any, kept: str) -> None:
    assert safe_name(given) == kept


def test_a_very_long_name_is_shortened_keeping_its_extension() -> None:
    name = safe_name("a" * 5000 + ".jpeg")
    assert len(name) == NAME_MAX_LENGTH
    assert name.endswith("aaa.jpeg")
    assert len(safe_name("ü" * 500)) == NAME_MAX_LENGTH


def test_an_upload_with_path_tricks_gets_a_safe_name() -> None:
    checked = check_upload(upload("../../etc/passwd", b"root:x:0:0"))
    assert checked.name == "passwd.txt"
    checked = check_upload(upload("..\\..\\photo\x00.jpg", image_bytes()))
    assert checked.name == "photo.jpg"


# --- several files -------------------------------------------------------------------------


def test_several_files_are_checked_together() -> None:
    files = check_uploads([upload("a.pdf", PDF), upload("b.jpg", image_bytes()), None])
    assert [file.name for file in files] == ["a.pdf", "b.jpg"]
    assert all(isinstance(file, CheckedFile) for file in files)


def test_no_files_is_fine() -> None:
    assert check_uploads([]) == []


def test_more_files_than_allowed_are_refused(settings: Any) -> None:
    settings.ATTACHMENT_MAX_FILES = 5
    with pytest.raises(ValidationError) as caught:
        check_uploads([upload(f"{n}.txt", b"x%d" % n) for n in range(6)])
    assert caught.value.messages == ["You can attach at most 5 files to one message; you chose 6."]


def test_every_problem_is_listed_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        check_uploads([upload("fine.pdf", PDF), upload("empty.txt", b""), upload("page.jpg", HTML)])
    assert len(caught.value.messages) == 2
    assert caught.value.messages[0] == "empty.txt is empty."
    assert caught.value.messages[1].startswith("page.jpg does not look like a photo")


def test_the_same_file_chosen_twice_is_kept_once() -> None:
    photo = image_bytes()
    files = check_uploads([upload("a.jpg", photo), upload("a copy.jpg", photo)])
    assert [file.name for file in files] == ["a.jpg"]
