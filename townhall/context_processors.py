from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def site(request: HttpRequest) -> dict[str, str]:
    """The site's name for the header, title and emails."""
    return {"SITE_NAME": settings.SITE_NAME}


def notifications(request: HttpRequest) -> dict[str, Any]:
    """How many unread notifications the signed-in person has (one query, only when a
    template shows it)."""
    from townhall.activity.models import Notification

    user = getattr(request, "user", None)

    def count() -> int:
        if user is None or not user.is_authenticated:
            return 0
        return Notification.objects.visible_to(user).unread().count()

    return {"unread_notifications": SimpleLazyObject(count)}


def inbox(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation shows the staff inbox (staff of an agency, site admins)."""
    from townhall.agencies.second_factor import is_staff_account

    user = getattr(request, "user", None)
    return {
        "SHOWS_INBOX": SimpleLazyObject(lambda: bool(user is not None and is_staff_account(user)))
    }
