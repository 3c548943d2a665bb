"""Background work for notifications: the emails. Both tasks are idempotent (see
`emails.py`): running one twice, or two at once, sends each email once."""

from __future__ import annotations

from django_tasks import task

from . import emails


@task()
def email_notifications(*, activity_id: int, recipient_ids: list[int]) -> int:
    """Email one activity's new notifications to those who want email at once."""
    return emails.send_notification_emails(activity_id=activity_id, recipient_ids=recipient_ids)


@task()
def send_digests() -> int:
    """Send the daily digests that are due (also `townhall send_digests`)."""
    return emails.send_digests()
