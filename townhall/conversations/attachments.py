"""Files people attach to messages: checked on the way in, served safely on the way out.

What we accept, judged by the content and never by the name or the browser's word:

| kind | recognised by | stored as |
|---|---|---|
| photo | JPEG, PNG, GIF or WebP that Pillow can decode | re-encoded without any metadata (EXIF, GPS position, comments, colour profiles), turned the way the camera held it; GIF → PNG (first frame), the rest keep their format |
| PDF | starts with `%PDF-` | as sent |
| text | `.txt` or `.csv`, UTF-8, no NUL, not HTML/SVG/XML markup | as sent |

The name's extension must fit the content (an HTML page named `photo.jpg` is refused); a
photo whose extension names another image format is accepted under the right extension.
SVG is refused: it can carry scripts. Files are stored under a random key; the name the
person gave is cleaned (no folders, control characters or bidi tricks, at most
`NAME_MAX_LENGTH` characters) and kept only to name the download.

Memory: a file's size is checked before anything is read (`upload.size`), and checks read
in chunks. Only photos are held in memory, after their pixel count is checked.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .models import Attachment, Message, Thread

# Longest name kept for a file, extension included.
NAME_MAX_LENGTH = 100
# Largest photo accepted, in pixels (a 50-megapixel camera fits); beyond this, decoding
# would take too much memory.
IMAGE_MAX_PIXELS = 60_000_000
CHUNK_SIZE = 64 * 1024
JPEG_QUALITY = 88

_IMAGE_FORMATS = {
    # Pillow format: (content type, extension, the extensions that name this format)
    "JPEG": ("image/jpeg", ".jpg", {".jpg", ".jpeg", ".jpe", ".jfif"}),
    "PNG": ("image/png", ".png", {".png"}),
    "GIF": ("image/gif", ".gif", {".gif"}),
    "WEBP": ("image/webp", ".webp", {".webp"}),
}
_IMAGE_EXTENSIONS = {ext for _type, _ext, exts in _IMAGE_FORMATS.values() for ext in exts}
_PDF_EXTENSIONS = {".pdf"}
_TEXT_TYPES = {".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8"}
_ALLOWED_EXTENSIONS = _IMAGE_EXTENSIONS | _PDF_EXTENSIONS | set(_TEXT_TYPES)
# Text that a browser could take for a page or a picture with scripts.
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<script", b"<svg", b"<?xml")
# Characters Windows, shells or HTTP headers treat specially.
_UNSAFE_NAME_CHARACTERS = set('<>:"/\\|?*;')


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed `check_upload`: ready for `store_attachments`.

    `data` is the re-encoded bytes of a photo, or the uploaded file itself (read from the
    start when stored) for a PDF or a text file.
    """

    name: str
    content_type: str
    size: int
    data: bytes | File | IO[bytes] = field(repr=False)
    sha256: str = ""


def format_size(size: int) -> str:
    """A size as people read it: "50 MB", "1.5 MB", "300 KB", "12 bytes"."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            amount = f"{size / factor:.1f}".removesuffix(".0")
            return f"{amount} {unit}"
    return _("%(count)d bytes") % {"count": size}


def safe_name(name: str | None) -> str:
    """A file name that is safe to show and to put in a download header.

    Keeps the last part of a path only, drops control and format characters (NUL, new
    lines, right-to-left overrides), characters with a special meaning for file systems
    and headers, and leading dots; shortens the name to `NAME_MAX_LENGTH` characters,
    keeping its extension. Never empty: "file" when nothing is left.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for character in text:
        if character.isspace():  # tabs, new lines: one space
            kept.append(" ")
            continue
        category = unicodedata.category(character)
        if category.startswith("C") or category in ("Zl", "Zp"):
            continue
        kept.append("_" if character in _UNSAFE_NAME_CHARACTERS else character)
    text = " ".join("".join(kept).split())
    text = text.strip(". ")
    stem, extension = _split_extension(text)
    stem = stem.rstrip(". ")
    suffix = extension.lower()
    stem = stem[: NAME_MAX_LENGTH - len(suffix)].rstrip(". ") or "file"
    return stem + suffix


def _split_extension(name: str) -> tuple[str, str]:
    """("report", ".pdf") for "report.pdf"; an "extension" that is long or not made of
    letters and digits ("Main St. near the school") is part of the name."""
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= 10 and extension.isascii() and extension.isalnum():
        return stem, f".{extension}"
    return name, ""


def _extension(name: str) -> str:
    return _split_extension(name)[1].lower()


def _with_extension(name: str, extension: str) -> str:
    stem = _split_extension(name)[0]
    return stem[: NAME_MAX_LENGTH - len(extension)] + extension


def _allowed_kinds() -> str:
    return _(
        "You can attach photos (JPEG, PNG, GIF or WebP), PDF documents and plain text or CSV files."
    )


def _chunks(upload: Any) -> Iterable[bytes]:
    if hasattr(upload, "chunks"):
        return upload.chunks(CHUNK_SIZE)  # type: ignore[no-any-return]
    return iter(lambda: upload.read(CHUNK_SIZE), b"")


def _rewind(upload: Any) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)


def _scan(upload: Any, name: str, limit: int) -> tuple[int, bytes, str]:
    """Read the file once in chunks: its real size, its first bytes and its SHA-256.
    Refuses it as soon as it is longer than `limit` (a size that lied)."""
    _rewind(upload)
    digest = hashlib.sha256()
    head = b""
    total = 0
    for chunk in _chunks(upload):
        total += len(chunk)
        if total > limit:
            raise _too_big(name, total, limit)
        if len(head) < 4096:
            head += chunk[: 4096 - len(head)]
        digest.update(chunk)
    _rewind(upload)
    return total, head, digest.hexdigest()


def _too_big(name: str, size: int, limit: int) -> ValidationError:
    return ValidationError(
        _("%(name)s is %(size)s; files can be at most %(limit)s.")
        % {"name": name, "size": format_size(size), "limit": format_size(limit)},
        code="file_too_big",
    )


def _sniff_image(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _describe(head: bytes) -> str:
    """What the content looks like, for the message refusing a mismatch."""
    if _sniff_image(head):
        return _("an image")
    if head.startswith(b"%PDF-"):
        return _("a PDF document")
    if _looks_like_markup(head):
        return _("a web page or markup")
    return _("something else")


def _looks_like_markup(head: bytes) -> bool:
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    return start.startswith(_MARKUP_STARTS)


def _mismatch(name: str, expected: str, head: bytes) -> ValidationError:
    return ValidationError(
        _(
            "%(name)s does not look like %(expected)s: its content is %(actual)s. "
            "Check you chose the right file."
        )
        % {"name": name, "expected": expected, "actual": _describe(head)},
        code="file_content_mismatch",
    )


def _unreadable(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s could not be read as a photo. It may be damaged; try saving it again.")
        % {"name": name},
        code="image_unreadable",
    )


def _reencode_image(upload: Any, name: str, image_format: str) -> tuple[bytes, str]:
    """Decode the photo and encode its pixels again, without any metadata.
    Returns the bytes and the format they are in."""
    _rewind(upload)
    try:
        with Image.open(upload, formats=[image_format]) as image:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    _(
                        "%(name)s is %(width)d × %(height)d pixels; photos can be at most "
                        "%(megapixels)d megapixels."
                    )
                    % {
                        "name": name,
                        "width": width,
                        "height": height,
                        "megapixels": IMAGE_MAX_PIXELS // 1_000_000,
                    },
                    code="image_too_big",
                )
            image.seek(0)  # animated GIF/WebP: the first frame only
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
                upright.mode == "P" and "transparency" in upright.info
            )
            if image_format == "JPEG":
                pixels = upright.convert("L" if upright.mode in ("1", "L") else "RGB")
            else:
                pixels = upright.convert("RGBA" if has_alpha else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError) as error:
        raise _unreadable(name) from error
    except (ValueError, TypeError, EOFError, IndexError) as error:
        raise _unreadable(name) from error
    # A new image holds the pixels and nothing else: no EXIF, XMP, ICC, comments.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    output = io.BytesIO()
    if image_format == "JPEG":
        clean.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        clean.save(output, "WEBP", quality=JPEG_QUALITY)
    else:  # PNG, and GIF (its first frame) as PNG
        image_format = "PNG"
        clean.save(output, "PNG", optimize=True)
    return output.getvalue(), image_format


def _check_text(upload: Any, name: str) -> None:
    """UTF-8 all through (a byte-order mark allowed), no NUL character."""
    _rewind(upload)
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    try:
        for chunk in _chunks(upload):
            if b"\x00" in chunk:
                raise ValidationError(
                    _("%(name)s is not a plain text file (it contains NUL characters).")
                    % {"name": name},
                    code="text_not_plain",
                )
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("%(name)s is not UTF-8 text. Save it as UTF-8 and attach it again.") % {"name": name},
            code="text_not_utf8",
        ) from error
    _rewind(upload)


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Check one uploaded file and make it safe to keep. Raises ValidationError with a
    message naming the file and saying what to do."""
    name = safe_name(upload.name)
    limit = settings.ATTACHMENT_MAX_BYTES
    claimed = upload.size
    if claimed is not None and claimed > limit:  # refused before reading a byte
        raise _too_big(name, claimed, limit)
    extension = _extension(name)
    if extension not in _ALLOWED_EXTENSIONS:
        if extension == ".svg":
            message = _(
                "%(name)s is an SVG drawing, which can carry scripts and can't be attached. "
                "Save it as PNG or PDF instead."
            )
        elif extension:
            message = _("%(name)s is a kind of file that can't be attached.")
        else:
            message = None  # no extension: the content decides
        if message:
            raise ValidationError(
                (message % {"name": name}) + " " + _allowed_kinds(), code="file_type_not_allowed"
            )
    size, head, digest = _scan(upload, name, limit)
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="file_empty")

    image_format = _sniff_image(head)
    if extension in _IMAGE_EXTENSIONS or (not extension and image_format):
        if image_format is None:
            raise _mismatch(name, _("a photo"), head)
        data, written_format = _reencode_image(upload, name, image_format)
        content_type, right_extension, extensions = _IMAGE_FORMATS[written_format]
        if extension not in extensions:
            name = _with_extension(name, right_extension)
        return CheckedFile(
            name=name,
            content_type=content_type,
            size=len(data),
            data=data,
            sha256=digest,
        )
    if extension in _PDF_EXTENSIONS or (not extension and head.startswith(b"%PDF-")):
        if not head.startswith(b"%PDF-"):
            raise _mismatch(name, _("a PDF document"), head)
        return CheckedFile(
            name=_with_extension(name, ".pdf") if not extension else name,
            content_type="application/pdf",
            size=size,
            data=upload,
            sha256=digest,
        )
    # Text: .txt or .csv, or no extension at all.
    if image_format or head.startswith(b"%PDF-") or _looks_like_markup(head):
        if not extension:
            raise ValidationError(
                _("%(name)s is a kind of file that can't be attached.") % {"name": name}
                + " "
                + _allowed_kinds(),
                code="file_type_not_allowed",
            )
        raise _mismatch(name, _("plain text"), head)
    _check_text(upload, name)
    return CheckedFile(
        name=name if extension else _with_extension(name, ".txt"),
        content_type=_TEXT_TYPES.get(extension, _TEXT_TYPES[".txt"]),
        size=size,
        data=upload,
        sha256=digest,
    )


def check_uploads(uploads: Iterable[UploadedFile | None]) -> list[CheckedFile]:
    """Check every file of one message. At most ATTACHMENT_MAX_FILES; the same file
    chosen twice is kept once. Raises one ValidationError listing every problem."""
    chosen = [upload for upload in uploads if upload is not None]
    limit = settings.ATTACHMENT_MAX_FILES
    if len(chosen) > limit:
        raise ValidationError(
            _("You can attach at most %(limit)d files to one message; you chose %(count)d.")
            % {"limit": limit, "count": len(chosen)},
            code="too_many_files",
        )
    checked: list[CheckedFile] = []
    problems: list[ValidationError] = []
    seen: set[str] = set()
    for upload in chosen:
        try:
            file = check_upload(upload)
        except ValidationError as error:
            problems.append(error)
            continue
        if file.sha256 and file.sha256 in seen:
            continue
        seen.add(file.sha256)
        checked.append(file)
    if problems:
        raise ValidationError(problems)
    return checked


def store_attachments(
    *,
    thread: Thread,
    message: Message | None = None,
    uploaded_by: Any,
    files: Sequence[CheckedFile],
    is_internal: bool = False,
) -> list[Attachment]:
    """Save checked files through the default storage, each under a random key, and
    record them on the thread (and the message, when given). Attachments of an internal
    note are internal too. Callers decide who may attach; call inside their transaction.

    If that transaction rolls back, the stored files stay behind without a row: harmless
    (nobody can reach them), cleaned up by a later sweep.
    """
    if message is not None and message.thread_id != thread.pk:
        raise ValueError("The message belongs to another thread.")
    if message is not None and message.is_internal:
        is_internal = True
    stored = []
    for checked in files:
        if not isinstance(checked, CheckedFile):
            raise TypeError("Check files with check_upload() before storing them.")
        key = secrets.token_hex(16)
        attachment = Attachment(
            thread=thread,
            message=message,
            uploaded_by=uploaded_by,
            storage_key=key,
            original_name=checked.name[:200],
            content_type=checked.content_type,
            size=checked.size,
            is_internal=is_internal,
        )
        if isinstance(checked.data, bytes):
            content: File = ContentFile(checked.data)
        else:
            _rewind(checked.data)
            content = checked.data if isinstance(checked.data, File) else File(checked.data)
        attachment.file.save(key, content, save=False)
        attachment.save(force_insert=True)
        stored.append(attachment)
    return stored


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download that a browser will neither show nor run.

    Callers check the reader may see the attachment BEFORE calling this. Raises Http404
    when the stored file has gone missing.
    """
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as error:
        raise Http404(_("This file is no longer available.")) from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_name(attachment.original_name),
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private"
    return response
