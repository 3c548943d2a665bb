"""Notification emails: one at a time for people who want them at once, a daily digest
for the others, none for those who said no.

Each email goes out at most once per notification (activity and recipient). Before
sending, a conditional UPDATE claims the notification (`emailed_at` set where it is still
empty); only the run whose UPDATE changed the row sends. A failed send gives the claim
back, so a retry can send; a worker that dies mid-send loses that one email rather than
ever sending it twice (decision 0007). Digests claim the person's daily slot the same way
(`EmailPreference.last_digest_at`, compare-and-set) and then their notifications.

Every email is written in the recipient's preferred language, with a plain-text and an
HTML part, a link to the thing, a signed Reply-To when the thing can be answered by email
(`inbound.py`; never on digests), and an unsubscribe link that works without signing in
(plus the List-Unsubscribe headers of RFC 2369 and RFC 8058).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from .inbound import reply_address
from .models import EmailFrequency, EmailPreference, Notification

DIGEST_EVERY = timedelta(days=1)
# A digest covers what arrived since the previous one, but never more than this.
DIGEST_LOOKBACK = timedelta(days=2)
DIGEST_MAX_ITEMS = 100

_UNSUBSCRIBE_SALT = "townhall.activity.unsubscribe"


# --- links --------------------------------------------------------------------------------
def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def unsubscribe_token(user: Any) -> str:
    return signing.dumps(user.pk, salt=_UNSUBSCRIBE_SALT)


def user_id_from_unsubscribe_token(token: str) -> int | None:
    """The account an unsubscribe link belongs to, or None when it was tampered with."""
    try:
        value = signing.loads(token, salt=_UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def unsubscribe_url(user: Any) -> str:
    return absolute_url(reverse("activity:unsubscribe", args=[unsubscribe_token(user)]))


def _link_of(notification: Notification) -> str:
    """An absolute link to the thing; the notification centre when it has no local link."""
    path = notification.url
    if path.startswith("/") and not path.startswith("//"):
        return absolute_url(path)
    return absolute_url(reverse("activity:notification-list"))


def _language_of(user: Any) -> str:
    language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _can_receive(user: Any) -> bool:
    return bool(user.is_active and user.email)


# --- messages -----------------------------------------------------------------------------
def _message(
    *,
    user: Any,
    subject: str,
    template: str,
    context: dict[str, Any],
    reply_to: str | None = None,
) -> EmailMultiAlternatives:
    language = _language_of(user)
    with translation.override(language):
        unsubscribe = unsubscribe_url(user)
        context = {
            **context,
            "reply_by_email": bool(reply_to),
            "site_name": settings.SITE_NAME,
            "recipient": user,
            "unsubscribe_url": unsubscribe,
            "settings_url": absolute_url(reverse("activity:email-settings")),
            "centre_url": absolute_url(reverse("activity:notification-list")),
            "language": language,
        }
        text = render_to_string(f"activity/email/{template}.txt", context)
        html = render_to_string(f"activity/email/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=_one_line(f"[{settings.SITE_NAME}] {subject}")[:250],
        body=text,
        to=[user.email],
        reply_to=[reply_to] if reply_to else None,
        headers={
            "Content-Language": language,
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """One notification's email. When its object can be answered by email (a handler is
    registered in `inbound.py` and the recipient may write there), Reply-To is the
    recipient's own signed reply address."""
    return _message(
        user=notification.recipient,
        reply_to=reply_address(notification.recipient, notification.activity),
        subject=notification.activity.summary,
        template="notification",
        context={
            "notification": notification,
            "summary": notification.activity.summary,
            "link": _link_of(notification),
        },
    )


def digest_message(user: Any, notifications: Sequence[Notification]) -> EmailMultiAlternatives:
    with translation.override(_language_of(user)):
        subject = ngettext(
            "%(count)d new notification", "%(count)d new notifications", len(notifications)
        ) % {"count": len(notifications)}
        items = [
            {"summary": item.activity.summary, "reason": item.reason, "link": _link_of(item)}
            for item in notifications
        ]
        title = gettext("Your daily digest")
    return _message(
        user=user,
        subject=subject,
        template="digest",
        context={"items": items, "title": title, "count": len(notifications)},
    )


# --- claiming and sending ----------------------------------------------------------------
def _release(ids: Sequence[int], stamp: datetime) -> None:
    Notification.objects.filter(pk__in=ids, emailed_at=stamp).update(emailed_at=None)


def send_notification_emails(*, activity_id: int, recipient_ids: Sequence[int]) -> int:
    """Email an activity's notifications to those of `recipient_ids` who want email at
    once. Returns how many emails this run sent (0 when another run already did)."""
    pending = list(
        Notification.objects.filter(
            activity_id=activity_id, recipient_id__in=list(recipient_ids), emailed_at__isnull=True
        ).select_related("activity", "recipient")
    )
    if not pending:
        return 0
    chosen = dict(
        EmailPreference.objects.filter(
            user_id__in=[item.recipient_id for item in pending]
        ).values_list("user_id", "frequency")
    )
    sent = 0
    for notification in pending:
        frequency = chosen.get(notification.recipient_id, EmailFrequency.IMMEDIATELY)
        if frequency != EmailFrequency.IMMEDIATELY or not _can_receive(notification.recipient):
            continue
        stamp = timezone.now()
        claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=stamp
        )
        if not claimed:
            continue  # another run has it
        try:
            notification_message(notification).send()
        except Exception:
            _release([notification.pk], stamp)
            raise
        sent += 1
    return sent


def _due_digests(now: datetime) -> Q:
    return Q(frequency=EmailFrequency.DAILY) & (
        Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=now - DIGEST_EVERY)
    )


def send_digests(*, now: datetime | None = None) -> int:
    """Send every digest that is due. Returns how many were sent."""
    now = now or timezone.now()
    people = (
        EmailPreference.objects.filter(_due_digests(now))
        .filter(
            user__is_active=True,
            user__notifications__emailed_at__isnull=True,
            user__notifications__created_at__gte=now - DIGEST_LOOKBACK,
        )
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(send_digest(user_id=user_id, now=now) for user_id in list(people))


def send_digest(*, user_id: int, now: datetime | None = None) -> bool:
    """Send one person's digest if it is due and has something in it. Returns whether
    this run sent it."""
    now = now or timezone.now()
    preference = (
        EmailPreference.objects.filter(_due_digests(now), user_id=user_id)
        .select_related("user")
        .first()
    )
    if preference is None or not _can_receive(preference.user):
        return False
    previous = preference.last_digest_at
    # Compare-and-set: only the run that still sees the previous value takes the slot.
    slot = EmailPreference.objects.filter(user_id=user_id, frequency=EmailFrequency.DAILY)
    slot = (
        slot.filter(last_digest_at=previous)
        if previous
        else slot.filter(last_digest_at__isnull=True)
    )
    if not slot.update(last_digest_at=now):
        return False
    since = max(previous or now - DIGEST_EVERY, now - DIGEST_LOOKBACK)
    candidates = list(
        Notification.objects.filter(
            recipient_id=user_id, emailed_at__isnull=True, created_at__gte=since
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:DIGEST_MAX_ITEMS]
    )
    Notification.objects.filter(pk__in=candidates, emailed_at__isnull=True).update(emailed_at=now)
    items = list(
        Notification.objects.filter(pk__in=candidates, emailed_at=now)
        .select_related("activity")
        .order_by("created_at", "id")
    )

    def give_back() -> None:
        _release([item.pk for item in items], now)
        EmailPreference.objects.filter(user_id=user_id, last_digest_at=now).update(
            last_digest_at=previous
        )

    if not items:
        give_back()
        return False
    try:
        digest_message(preference.user, items).send()
    except Exception:
        give_back()
        raise
    return True
