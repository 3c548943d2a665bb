from django.apps import AppConfig


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
