"""Applications allowed to file through Open311, and what each filing left behind (its
token, and the media URL and address id Open311 clients send, which Townhall's request
has no field for)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.service_requests.models import ServiceRequest

DEFAULT_RATE_LIMIT_PER_MINUTE = 60


class Open311ApplicationQuerySet(models.QuerySet["Open311Application"]):
    def active(self) -> Open311ApplicationQuerySet:
        return self.filter(revoked_at__isnull=True)


class Open311Application(models.Model):
    """An application (a 311 app, a city's call-centre software) that an administrator
    has given an API key. Only a hash of the key is kept; the key is shown once."""

    name = models.CharField(_("name"), max_length=120)
    contact_email = models.EmailField(_("contact email"))
    key_prefix = models.CharField(_("key starts with"), max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="open311_application",
        editable=False,
        help_text=_(
            "Files the requests of people without a verified account until they claim them."
        ),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("calls per minute"), default=DEFAULT_RATE_LIMIT_PER_MINUTE
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = Open311ApplicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311 application")
        verbose_name_plural = _("Open311 applications")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class Open311Filing(models.Model):
    """A request filed through Open311: by which application, under which token."""

    request = models.OneToOneField(
        ServiceRequest, on_delete=models.CASCADE, related_name="open311_filing"
    )
    application = models.ForeignKey(
        Open311Application, on_delete=models.PROTECT, related_name="filings"
    )
    token = models.CharField(max_length=64, unique=True)
    media_url = models.URLField(_("media URL"), max_length=1000, blank=True)
    address_id = models.CharField(_("address id"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("Open311 filing")
        verbose_name_plural = _("Open311 filings")

    def __str__(self) -> str:
        return self.token


class WebhookEvent(models.TextChoices):
    """What an application can subscribe to: events of public requests only."""

    REQUEST_FILED = "request.filed", _("Request filed")
    REQUEST_STATUS_CHANGED = "request.status_changed", _("Request status changed")
    COMMITMENT_KEPT = "commitment.kept", _("Commitment kept")
    COMMITMENT_BROKEN = "commitment.broken", _("Commitment broken")


class WebhookSubscriptionQuerySet(models.QuerySet["WebhookSubscription"]):
    def active(self) -> WebhookSubscriptionQuerySet:
        """Subscriptions that receive deliveries: switched on, their application's key
        not revoked."""
        return self.filter(is_active=True, application__revoked_at__isnull=True)


class WebhookSubscription(models.Model):
    """An application's wish to be told of events by a signed JSON POST to its URL. The
    secret signs every body (HMAC-SHA256); it is shown once to the administrator."""

    application = models.ForeignKey(
        Open311Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
    )
    target_url = models.URLField(_("target URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(max_length=64, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    allow_private_address = models.BooleanField(
        _("allow a private address"),
        default=False,
        help_text=_(
            "Let deliveries go to this server's own host or a private, loopback or "
            "link-local address. Only for receivers inside the city's own network."
        ),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = WebhookSubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.target_url


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one subscription: the delivery log. An event is
    delivered at most once to a subscription."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    activity = models.ForeignKey(
        "activity.Activity", verbose_name=_("activity"), on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField(_("payload"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "activity"], name="webhook_delivery_once"
            )
        ]
        indexes = [
            models.Index(
                fields=["delivered_at", "next_attempt_at"], name="webhook_delivery_due_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"
