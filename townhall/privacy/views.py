"""/my-data/: ask for an archive of everything held about you, watch it being built,
download it; erase your account after seeing exactly what is kept and what goes."""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions
from .forms import EraseForm
from .models import ExportJob

RECENT_EXPORTS = 5


def own_job(user: Any, token: str) -> ExportJob:
    """The caller's own export job with this token; anyone else's is 404."""
    job = ExportJob.objects.visible_to(user).filter(token=token[:64]).first()
    if job is None:
        raise Http404("No such export.")
    return job


def download_response(job: ExportJob) -> FileResponse:
    """The archive as a download, only while it lasts (else 404)."""
    if not job.is_downloadable():
        raise Http404("This archive has expired.")
    try:
        handle = job.file.open("rb")
    except OSError as error:
        raise Http404("This archive is gone.") from error
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"townhall-archive-{job.ready_at:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    jobs = list(ExportJob.objects.visible_to(request.user)[:RECENT_EXPORTS])
    current = jobs[0] if jobs else None
    return render(request, "privacy/my_data.html", {"job": current, "earlier": jobs[1:]})


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    try:
        actions.request_export(by=request.user)
    except actions.ExportLimitReached as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, _("We are building your archive. We will email you when it is ready.")
        )
    return redirect("privacy:my-data")


@never_cache
@login_required
@require_GET
def export_status(request: HttpRequest, token: str) -> HttpResponse:
    """The progress of one export: a fragment for htmx polling; without htmx, the page."""
    job = own_job(request.user, token)
    if not getattr(request, "htmx", False):
        return redirect("privacy:my-data")
    return render(request, "privacy/_export_status.html", {"job": job})


@never_cache
@login_required
@require_GET
def export_download(request: HttpRequest, token: str) -> FileResponse:
    return download_response(own_job(request.user, token))


def _has_password(request: HttpRequest) -> bool:
    """Asking for the password again needs one: an account that signs in only through an
    identity provider is not asked (allauth would have nothing to ask for)."""
    return bool(getattr(request.user, "has_usable_password", lambda: False)())


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required(allow_get=True, enabled=_has_password)
def erase(request: HttpRequest) -> HttpResponse:
    """Show what erasing keeps and removes; erase on confirmation (after signing in
    again if the last sign-in was not recent)."""
    form = EraseForm(request.POST if request.method == "POST" else None)
    plan = actions.erasure_plan(request.user)
    if request.method == "POST" and form.is_valid() and not plan.refusal:
        try:
            actions.erase_account(by=request.user, confirm=True)
        except actions.ErasureRefused as error:
            form.add_error(None, error.messages[0])
        except (PermissionDenied, ValidationError) as error:
            raise Http404(str(error)) from error
        else:
            logout(request)
            return redirect("privacy:erased")
    return render(request, "privacy/erase.html", {"plan": plan, "form": form})


@require_GET
def erased(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/erased.html")
