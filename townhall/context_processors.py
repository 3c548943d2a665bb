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


def moderation(request: HttpRequest) -> dict[str, Any]:
    """Whether the navigation shows the moderation queue: to site administrators, to staff
    who moderate an agency (one query, staff only), and to accounts with Django's staff
    flag holding the site-wide moderator permission. Citizens cost no query."""
    from townhall.agencies.second_factor import is_staff_account
    from townhall.conversations.moderation import is_site_moderator, moderator_personas

    user = getattr(request, "user", None)

    def shows() -> bool:
        if user is None or not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        if is_staff_account(user) and moderator_personas(user).exists():
            return True
        return bool(user.is_staff and is_site_moderator(user))

    return {"SHOWS_MODERATION": SimpleLazyObject(shows)}


def acting_face(request: HttpRequest) -> dict[str, Any]:
    """Which face a person with a work persona acts with on this page (identity/personas.py):
    the header shows it. Lazy: a query only when base.html asks, for signed-in people."""
    from townhall.identity.personas import face_of

    return {"ACTING_FACE": SimpleLazyObject(lambda: face_of(request))}
