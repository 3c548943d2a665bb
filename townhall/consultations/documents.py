"""The consultations' document actions and queries: the files an agency attaches to a
consultation (an impact assessment, a map, the rules as they stand).

- `attach_document`: staff of the owning agency (an active membership) add a file with a
  title. The file is judged by its content with the conversations' upload checks
  (`conversations.attachments.check_upload`: photos re-encoded without metadata, PDF and
  plain text only, at most `ATTACHMENT_MAX_BYTES`), stored under a random key, and the
  name the uploader gave is cleaned and kept only to name the download.
- `withdraw_document`: staff of the owning agency withdraw a document with a public
  reason. It is kept (the record and the file), but no longer listed nor served.
- `documents_of` / `listed_documents`: the documents shown with a consultation (not
  withdrawn), in one query.

Both actions record Activity: public once the consultation is published (and its
followers are told a document was added), for the agency's staff while it is a draft.
"""

from __future__ import annotations

import contextlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townhall.activity.actions import notify_followers
from townhall.activity.models import Visibility
from townhall.conversations.attachments import CheckedFile, check_upload, format_size

from .actions import _record, _staff_persona, _text
from .models import DOCUMENT_TITLE_MAX_LENGTH, REASON_MAX_LENGTH, Consultation, Document

# What a file's content type is called in the list of documents.
_KINDS: dict[str, Any] = {
    "application/pdf": "PDF",
    "text/plain": gettext_lazy("Text"),
    "text/csv": "CSV",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
}


def _is_public(consultation: Consultation) -> bool:
    """Whether everyone can read the consultation now (see `ConsultationQuerySet.published`)."""
    return bool(
        consultation.published_at is not None
        and consultation.published_at <= timezone.now()
        and consultation.agency.is_published
    )


def _rewind(data: Any) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        data.seek(0)


@transaction.atomic
def attach_document(*, by: Any, consultation: Consultation, title: str, upload: Any) -> Document:
    """Staff of the owning agency attach a document (`upload`: an uploaded file, or a
    `CheckedFile` already checked). Refused with PermissionDenied for anyone else (before
    the file is read), ValidationError naming the field (`title`, `file`) otherwise.

    If the transaction rolls back after the file was written, the file stays behind
    without a row: nobody can reach it (as for conversation attachments)."""
    current = Consultation.objects.select_related("agency").get(pk=consultation.pk)
    persona = _staff_persona(by, current.agency_id)
    title = _text(
        title,
        field="title",
        limit=DOCUMENT_TITLE_MAX_LENGTH,
        missing=_("Give the document a title."),
        one_line=True,
    )
    if upload is None:
        raise ValidationError({"file": _("Choose a file to attach.")})
    if isinstance(upload, CheckedFile):
        checked = upload
    else:
        try:
            checked = check_upload(upload)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from error
    key = secrets.token_hex(16)
    document = Document(
        consultation=current,
        title=title,
        storage_key=key,
        original_name=checked.name[:200],
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    if isinstance(checked.data, bytes):
        content: File = ContentFile(checked.data)
    else:
        _rewind(checked.data)
        content = checked.data if isinstance(checked.data, File) else File(checked.data)
    document.file.save(key, content, save=False)
    document.save(force_insert=True)
    public = _is_public(current)
    activity = _record(
        by,
        current,
        verb="consultation.document_added",
        summary=f"{persona.public_name} added a document to “{current.title}”: {title}",
        persona=persona,
        visibility=Visibility.PUBLIC if public else Visibility.STAFF,
    )
    if public:
        notify_followers(
            activity,
            reason=_("A document was added to a consultation you follow"),
            url=f"{current.get_absolute_url()}#documents-heading",
        )
    return document


@transaction.atomic
def withdraw_document(*, by: Any, document: Document, reason: str) -> Document:
    """Staff of the owning agency withdraw a document, saying why (public). It is kept,
    no longer listed nor served."""
    current = (
        Document.objects.select_for_update(of=("self",))
        .select_related("consultation__agency")
        .get(pk=document.pk)
    )
    consultation = current.consultation
    persona = _staff_persona(by, consultation.agency_id)
    reason = _text(
        reason,
        field="reason",
        limit=REASON_MAX_LENGTH,
        missing=_("Say why the document is withdrawn."),
        one_line=True,
    )
    if current.is_withdrawn:
        raise ValidationError(_("This document is already withdrawn."))
    current.is_withdrawn = True
    current.save(update_fields=["is_withdrawn"])
    _record(
        by,
        consultation,
        verb="consultation.document_withdrawn",
        summary=(
            f"{persona.public_name} withdrew the document “{current.title}” of "
            f"“{consultation.title}”: {reason}"
        ),
        persona=persona,
        visibility=Visibility.PUBLIC if _is_public(consultation) else Visibility.STAFF,
    )
    document.is_withdrawn = True
    return current


def documents_of(consultation: Consultation) -> QuerySet[Document]:
    """The consultation's documents that are not withdrawn, oldest first. The caller has
    fetched `consultation` through `Consultation.objects.visible_to`."""
    return Document.objects.filter(consultation=consultation, is_withdrawn=False).order_by(
        "uploaded_at", "pk"
    )


def kind_of(document: Document) -> str:
    """What kind of file it is, as people say it: "PDF", "Text"."""
    main_type = document.content_type.split(";", 1)[0].strip().lower()
    return str(_KINDS.get(main_type, _("File")))


def listed_documents(consultation: Consultation) -> list[Document]:
    """`documents_of`, each with `kind` and `size_display` (one query)."""
    found = list(documents_of(consultation))
    for document in found:
        document.kind = kind_of(document)  # type: ignore[attr-defined]
        document.size_display = format_size(document.size)  # type: ignore[attr-defined]
    return found
