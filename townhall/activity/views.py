"""The notification centre (what was brought to your attention, newest first), how often
it comes by email, the unsubscribe link of those emails, and following things."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import actions
from .actions import mark_notifications_read
from .emails import user_id_from_unsubscribe_token
from .follows import target_from_token
from .forms import EmailPreferenceForm
from .models import EmailFrequency, EmailPreference, Notification

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = (
        Notification.objects.visible_to(request.user)
        .select_related("activity")
        .order_by("-created_at", "-id")
    )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "activity/notification_list.html", {"page_obj": page})


@login_required
@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification read (and follow its link), or all of them."""
    raw = request.POST.get("notification", "")
    if raw == "all":
        mark_notifications_read(by=request.user)
        messages.success(request, _("All notifications are marked read."))
        return redirect("activity:notification-list")
    if not raw.isdigit():
        messages.error(request, _("Choose a notification to mark read."))
        return redirect("activity:notification-list")
    notification = Notification.objects.visible_to(request.user).filter(pk=int(raw)).first()
    if notification is None:
        messages.error(request, _("That notification is not yours or no longer exists."))
        return redirect("activity:notification-list")
    mark_notifications_read(by=request.user, ids=[notification.pk])
    target = notification.url
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("activity:notification-list")


def _safe_next(request: HttpRequest, fallback: str = "activity:notification-list") -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
def email_settings(request: HttpRequest) -> HttpResponse:
    """Choose how often notifications come by email."""
    current = EmailPreference.frequency_of(request.user)
    form = EmailPreferenceForm(request.POST or None, initial={"frequency": current})
    if request.method == "POST" and form.is_valid():
        actions.set_email_frequency(
            by=request.user, user=request.user, frequency=form.cleaned_data["frequency"]
        )
        messages.success(request, _("Your email choice is saved."))
        return redirect("activity:email-settings")
    return render(request, "activity/email_settings.html", {"form": form})


@never_cache
@csrf_exempt  # the signed link is the credential; mail programs POST it (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link at the foot of every notification email. Works without signing in: the
    GET page only asks; the POST (its button, or a mail program's one-click
    unsubscribe) turns notification emails off."""
    user_id = user_id_from_unsubscribe_token(token)
    account = (
        get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user_id is not None
        else None
    )
    if account is None:
        return render(request, "activity/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        actions.set_email_frequency(by=account, user=account, frequency=EmailFrequency.OFF)
        return render(request, "activity/unsubscribe_done.html")
    already_off = EmailPreference.frequency_of(account) == EmailFrequency.OFF
    return render(
        request, "activity/unsubscribe_confirm.html", {"token": token, "already_off": already_off}
    )


@login_required
@require_POST
def follow_change(request: HttpRequest) -> HttpResponse:
    """Follow or stop following the object a follow button names (a signed token)."""
    target = target_from_token(request.POST.get("target", ""))
    if target is None:
        return render(request, "activity/follow_invalid.html", status=400)
    if request.POST.get("action") == "unfollow":
        actions.unfollow(by=request.user, target=target)
        messages.success(request, _("You no longer follow this."))
    else:
        try:
            actions.follow(by=request.user, target=target)
        except PermissionDenied:
            raise Http404 from None  # what you cannot see does not exist for you
        messages.success(request, _("You follow this now. We will tell you when it changes."))
    return redirect(_safe_next(request))
