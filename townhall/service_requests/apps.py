from typing import Any

from django.apps import AppConfig
from django.db.models import QuerySet


class ServiceRequestsConfig(AppConfig):
    name = "townhall.service_requests"
    label = "service_requests"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from townhall.activity.follows import register_followable

        from . import status_pages

        status_pages.connect()
        # Whoever can see a request can follow it (its requester and “me too” supporters
        # do from the start), to hear of its status changes and answers.
        register_followable("service_requests.ServiceRequest")

        from . import inbound

        inbound.register()
        # A request's replies are a thread (decision 0006): whoever may see the request may
        # read them, and so report a message there to the moderators.
        from townhall.conversations.models import ThreadKind
        from townhall.conversations.registry import register_thread_kind

        register_thread_kind(
            ThreadKind.REQUEST,
            readable=_readable_request_threads,
            url=_request_thread_url,
        )
        # Confirming an email address claims the requests filed for it elsewhere (Open311).
        from allauth.account.signals import email_confirmed

        email_confirmed.connect(_claim_on_email_confirmed, dispatch_uid="claim_contact_requests")


def _claim_on_email_confirmed(
    sender: object, request: object, email_address: object, **kwargs: object
) -> None:
    from .actions import claim_contact_requests

    user = getattr(email_address, "user", None)
    if user is not None and user.is_active:
        claim_contact_requests(by=user)


def _readable_request_threads(user: object) -> QuerySet[Any]:
    from .models import ServiceRequest

    return ServiceRequest.objects.visible_to(user).values("thread_id").order_by()


def _request_thread_url(thread: Any) -> str:
    return str(thread.request.get_absolute_url())
