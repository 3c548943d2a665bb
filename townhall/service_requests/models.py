"""Service requests: one citizen's request of one service, from filing to closure.

The lifecycle is an explicit table (`TRANSITIONS`); the actions in `actions.py` are the
only code that moves a request from one status to another.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, Service, StaffMembership, Team
from townhall.conversations.models import Thread

DESCRIPTION_MAX_LENGTH = 10_000
ADDRESS_MAX_LENGTH = 300
REASON_MAX_LENGTH = 1_000
IDEMPOTENCY_KEY_MAX_LENGTH = 100
# How long after it was answered or closed a citizen may reopen a request.
REOPEN_WITHIN_DAYS = 30


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_FOR_CITIZEN = "waiting_for_citizen", _("Waiting for the citizen")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    DECLINED = "declined", _("Declined")
    DUPLICATE = "duplicate", _("Duplicate")


# Which status may follow which. Reopening (answered/closed → in_progress) is further
# limited to REOPEN_WITHIN_DAYS by the action.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.SUBMITTED: frozenset(
        {
            Status.ACKNOWLEDGED,
            Status.IN_PROGRESS,
            Status.WAITING_FOR_CITIZEN,
            Status.ANSWERED,
            Status.CLOSED,
            Status.DECLINED,
            Status.DUPLICATE,
        }
    ),
    Status.ACKNOWLEDGED: frozenset(
        {
            Status.IN_PROGRESS,
            Status.WAITING_FOR_CITIZEN,
            Status.ANSWERED,
            Status.CLOSED,
            Status.DECLINED,
            Status.DUPLICATE,
        }
    ),
    Status.IN_PROGRESS: frozenset(
        {
            Status.WAITING_FOR_CITIZEN,
            Status.ANSWERED,
            Status.CLOSED,
            Status.DECLINED,
            Status.DUPLICATE,
        }
    ),
    Status.WAITING_FOR_CITIZEN: frozenset(
        {Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED, Status.DECLINED, Status.DUPLICATE}
    ),
    Status.ANSWERED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset({Status.IN_PROGRESS}),
    Status.DECLINED: frozenset(),
    Status.DUPLICATE: frozenset(),
}
# Statuses in which the agency still owes the citizen something.
OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.WAITING_FOR_CITIZEN}
)
FINAL_STATUSES = frozenset({Status.CLOSED, Status.DECLINED, Status.DUPLICATE})


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


class ServiceRequestQuerySet(models.QuerySet["ServiceRequest"]):
    def open(self) -> ServiceRequestQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def public(self) -> ServiceRequestQuerySet:
        return self.filter(is_public=True)

    def visible_to(self, user: Any) -> ServiceRequestQuerySet:
        """Public requests: everyone. Private ones: the requester, active staff of the
        agency holding the request, and site administrators. Everyone else sees nothing
        (and the pages answer 404, not 403)."""
        rule = models.Q(is_public=True)
        if user is None or not user.is_authenticated:
            return self.filter(rule)
        if user.is_superuser:
            return self.all()
        rule |= models.Q(requester=user)
        rule |= models.Q(
            agency__in=models.Subquery(
                user.staff_memberships.filter(is_active=True).order_by().values("agency_id")
            )
        )
        return self.filter(rule)

    def handled_by(self, user: Any) -> ServiceRequestQuerySet:
        """Requests of the agencies where `user` is active staff (the inbox's universe)."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(
            agency__in=models.Subquery(
                user.staff_memberships.filter(is_active=True).order_by().values("agency_id")
            )
        )


class ServiceRequest(models.Model):
    """One citizen's request of one service (a question, a problem report, an FOI
    request...). `reference` (SPR-YYYY-NNNNNN) is what people quote."""

    reference = models.CharField(_("reference"), max_length=24, unique=True, editable=False)
    # Foreign keys whose column leads a composite index below get no index of their own.
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="requests",
        db_index=False,
        help_text=_("The agency holding the request (it changes when transferred)."),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="service_requests",
        db_index=False,
    )
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX_LENGTH)
    answers = models.JSONField(
        _("answers"),
        default=dict,
        blank=True,
        help_text=_("The answers to the service's questions, by question code."),
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=ADDRESS_MAX_LENGTH, blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    assignee = models.ForeignKey(
        StaffMembership,
        verbose_name=_("held by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        db_index=False,
    )
    thread = models.OneToOneField(
        Thread, verbose_name=_("replies"), on_delete=models.PROTECT, related_name="request"
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    status_reason = models.CharField(
        _("reason"),
        max_length=REASON_MAX_LENGTH,
        blank=True,
        help_text=_("Shown to the public: why it was declined, transferred or reopened."),
    )
    expected_at = models.DateTimeField(
        _("answer expected by"),
        null=True,
        blank=True,
        help_text=_("The due time of the open respond (or extension) commitment."),
    )
    paused_at = models.DateTimeField(
        _("waiting for the citizen since"),
        null=True,
        blank=True,
        help_text=_("The clock is paused while the agency waits for the citizen."),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    is_extended = models.BooleanField(_("deadline extended"), default=False)
    supporter_count = models.PositiveIntegerField(_("“me too” count"), default=0)
    idempotency_key = models.CharField(
        max_length=IDEMPOTENCY_KEY_MAX_LENGTH, blank=True, default="", editable=False
    )
    idempotency_fingerprint = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="A hash of what was filed with the key, to refuse reuse with other content.",
    )

    objects = ServiceRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(
                fields=["requester", "-submitted_at", "-id"], name="request_requester_idx"
            ),
            models.Index(
                fields=["agency", "status", "-submitted_at", "-id"], name="request_agency_idx"
            ),
            models.Index(fields=["assignee", "status", "expected_at"], name="request_assignee_idx"),
            models.Index(fields=["team", "status", "expected_at"], name="request_team_idx"),
            models.Index(fields=["agency", "status", "expected_at"], name="request_expected_idx"),
            models.Index(
                fields=["agency", "expected_at", "submitted_at", "id"],
                name="request_agency_due_idx",
            ),
            models.Index(fields=["is_public", "-submitted_at", "-id"], name="request_public_idx"),
            models.Index(fields=["service", "-submitted_at"], name="request_service_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="service_requests_one_filing_per_idempotency_key",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(latitude__isnull=False, longitude__isnull=False)
                ),
                name="service_requests_latitude_with_longitude",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("requests:request-detail", kwargs={"reference": self.reference})

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_paused(self) -> bool:
        return self.status == Status.WAITING_FOR_CITIZEN

    @property
    def has_location(self) -> bool:
        return self.latitude is not None or bool(self.address)

    def can_move_to(self, new: str) -> bool:
        return can_move(self.status, new)

    @staticmethod
    def format_reference(year: int, number: int) -> str:
        return f"SPR-{year}-{number:06d}"


class Support(models.Model):
    """“Me too”: another citizen supports a public request and follows it."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="request_supports"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("“me too”")
        verbose_name_plural = _("“me too”s")
        constraints = [
            models.UniqueConstraint(
                fields=["request", "user"], name="service_requests_one_support_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} supports {self.request}"


class RoutingRule(models.Model):
    """Send new requests to a team automatically: by service, by keywords found in the
    description, and by area (a latitude/longitude box). Rules are tried in `order`; the
    first whose every given condition matches wins."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="routing_rules")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        help_text=_("Any of these words in the description matches."),
    )
    min_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    max_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    min_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    max_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["agency", "order", "id"]

    def __str__(self) -> str:
        return f"{self.agency}: → {self.team.name}"


class SavedReply(models.Model):
    """A reply a team uses often; staff still send it under their own name."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="saved_replies")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("reply"), max_length=5_000)

    class Meta:
        verbose_name = _("saved reply")
        verbose_name_plural = _("saved replies")
        ordering = ["team", "title"]

    def __str__(self) -> str:
        return self.title


CONTACT_NAME_MAX_LENGTH = 150
CONTACT_PHONE_MAX_LENGTH = 40
CONTACT_ID_MAX_LENGTH = 100


class RequestContact(models.Model):
    """Who filed a request through another application (an Open311 client) when no
    verified Townhall account has that email address. Until the citizen claims it (by
    confirming this email address on an account) the request's requester is the
    application's own account, and these details are seen only by the agency's staff."""

    request = models.OneToOneField(ServiceRequest, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(_("email address"), blank=True)
    first_name = models.CharField(_("first name"), max_length=CONTACT_NAME_MAX_LENGTH, blank=True)
    last_name = models.CharField(_("last name"), max_length=CONTACT_NAME_MAX_LENGTH, blank=True)
    phone = models.CharField(_("phone"), max_length=CONTACT_PHONE_MAX_LENGTH, blank=True)
    device_id = models.CharField(_("device"), max_length=CONTACT_ID_MAX_LENGTH, blank=True)
    account_id = models.CharField(
        _("account in the application"), max_length=CONTACT_ID_MAX_LENGTH, blank=True
    )
    filed_via = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed through"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The account of the application that filed the request."),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact of a request filed elsewhere")
        verbose_name_plural = _("contacts of requests filed elsewhere")
        permissions = [
            ("file_for_contact", "Can file requests for people without a verified account"),
        ]
        indexes = [models.Index(fields=["email", "claimed_at"], name="request_contact_email_idx")]

    def __str__(self) -> str:
        return f"{self.request}: {self.email or self.device_id or '?'}"
