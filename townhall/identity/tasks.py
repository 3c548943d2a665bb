"""Background work for accounts: sending the emails allauth renders; lowering levels whose
records expired."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django_tasks import task


@task()
def deliver_email(
    *, subject: str, body: str, from_email: str, to: list[str], html: str = ""
) -> int:
    """Send one already-rendered email. Returns the number of messages sent (0 or 1)."""
    message = EmailMultiAlternatives(subject=subject, body=body, from_email=from_email, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    return message.send()


@task()
def expire_assurance() -> int:
    """The scheduled expiry of assurance levels (`townhall expire_assurance`)."""
    from . import actions

    return actions.expire_assurance()
