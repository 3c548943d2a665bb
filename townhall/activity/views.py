"""The notification centre: what was brought to your attention, newest first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .actions import mark_notifications_read
from .models import Notification

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
