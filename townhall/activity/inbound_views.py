"""Replies by email through an email provider's inbound webhook (django-anymail).

`POST /notifications/inbound/anymail/` is the inbound webhook of the provider named by
MAILIN_WEBHOOK_ESP (Postmark by default: "Include raw email content in JSON payload" on;
or Mailgun, Amazon SES, Postal, MailerSend, Resend), answered by anymail's own view. It
is protected by HTTP basic auth (ANYMAIL_WEBHOOK_SECRET, "user:password"), and answers 404
while that secret is not set, so it is never open to anyone. Anymail sends each mail as
its `inbound` signal; `on_inbound` hands it to `inbound.receive_email`. The provider
always gets 200 for a mail it delivered: refusals are logged, not retried.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from .inbound import receive_email

ESP_VIEWS = {
    "postmark": "anymail.webhooks.postmark.PostmarkInboundWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunInboundWebhookView",
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESInboundWebhookView",
    "postal": "anymail.webhooks.postal.PostalInboundWebhookView",
    "mailersend": "anymail.webhooks.mailersend.MailerSendInboundWebhookView",
    "resend": "anymail.webhooks.resend.ResendInboundWebhookView",
}


@csrf_exempt
def anymail_inbound(request: HttpRequest) -> HttpResponse:
    secret = getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET")
    esp = ESP_VIEWS.get(settings.MAILIN_WEBHOOK_ESP)
    if not secret or esp is None:
        raise Http404("Inbound email by webhook is not set up.")
    view = import_string(esp).as_view()
    return view(request)  # type: ignore[no-any-return]


def on_inbound(sender: Any, event: Any, esp_name: str = "", **kwargs: Any) -> None:
    """Anymail's `inbound` signal: one mail the provider received."""
    message = event.message
    recipient = getattr(message, "envelope_recipient", None)
    receive_email(
        message,
        envelope_from=getattr(message, "envelope_sender", None),
        recipients=[recipient] if recipient else [],
        source="webhook",
    )


def connect() -> None:
    from anymail.signals import inbound

    inbound.connect(on_inbound, dispatch_uid="townhall.activity.inbound_views.on_inbound")
