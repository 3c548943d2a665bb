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
