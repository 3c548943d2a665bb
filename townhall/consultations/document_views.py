"""A consultation's documents: the staff page to add one, the download (for whoever may
read the consultation) and withdrawing one (staff of the owning agency).

Every read goes through `queries.get_visible_consultation`; every write is one action of
`documents`. Files are served only as downloads with `nosniff`
(`conversations.attachments.attachment_response`).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from townhall.conversations.attachments import attachment_response

from . import actions, documents, queries
from .forms import add_errors
from .models import DOCUMENT_TITLE_MAX_LENGTH, REASON_MAX_LENGTH, Consultation

# What the file picker offers first; `check_upload` judges the content whatever the name.
ACCEPTED_FILES = ".pdf,.txt,.csv,.jpg,.jpeg,.png,.gif,.webp"


def _file_help() -> str:
    return _(
        "A PDF document, a plain text or CSV file, or a picture (JPEG, PNG, GIF or WebP), "
        "of at most %(size)d MB."
    ) % {"size": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)}


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title"),
        max_length=DOCUMENT_TITLE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "usa-input"}),
        help_text=gettext_lazy("What the document is, as people will see it in the list."),
        error_messages={"required": gettext_lazy("Give the document a title.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File"),
        allow_empty_file=True,  # the upload checks say "… is empty" with the file's name
        max_length=None,
        widget=forms.FileInput(attrs={"class": "usa-file-input", "accept": ACCEPTED_FILES}),
        error_messages={
            "required": gettext_lazy("Choose a file to attach."),
            "invalid": gettext_lazy("No file was sent; choose the file again."),
            "missing": gettext_lazy("No file was sent; choose the file again."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _file_help()


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is withdrawn (shown publicly)"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Say why the document is withdrawn.")},
    )


def _staff_consultation(request: HttpRequest, pk: int) -> Consultation:
    """The consultation, if `request.user` may read it (404) and is staff of its agency
    (403)."""
    consultation = queries.get_visible_consultation(pk, request.user)
    if actions.participant_persona(request.user, consultation) is None:
        raise PermissionDenied(_("Only staff of the agency running this consultation can do this."))
    return consultation


def _documents_url(consultation: Consultation) -> str:
    return f"{consultation.get_absolute_url()}#documents-heading"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def document_create(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            document = documents.attach_document(
                by=request.user,
                consultation=consultation,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("The document “%(title)s” is added.") % {"title": document.title}
            )
            return redirect(_documents_url(consultation))
    return render(
        request,
        "consultations/document_form.html",
        {"consultation": consultation, "form": form},
        status=400 if posted else 200,
    )


@require_http_methods(["GET", "HEAD"])
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    """The file as a download, for whoever may read the consultation; 404 once withdrawn."""
    consultation = queries.get_visible_consultation(pk, request.user)
    document = get_object_or_404(documents.documents_of(consultation), pk=doc_pk)
    # A Document has what `attachment_response` reads: file, original_name, content_type.
    return attachment_response(cast(Any, document))


@login_required
@require_POST
def document_withdraw(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    consultation = _staff_consultation(request, pk)
    document = get_object_or_404(documents.documents_of(consultation), pk=doc_pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect(_documents_url(consultation))
    try:
        documents.withdraw_document(
            by=request.user, document=document, reason=form.cleaned_data["reason"]
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request, _("The document “%(title)s” is withdrawn.") % {"title": document.title}
        )
    return redirect(_documents_url(consultation))
