"""Agencies, what they exist for, who works there, and what can be asked of them."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class AgencyQuerySet(models.QuerySet["Agency"]):
    def published(self) -> AgencyQuerySet:
        return self.filter(is_published=True)


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=160)
    slug = models.SlugField(_("short name in addresses"), max_length=80, unique=True)
    purpose = models.TextField(_("purpose"), help_text=_("Why this agency exists, in plain words."))
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=16,
        help_text=_("Country and subdivision for the holiday calendar, such as US-IL."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/Chicago", validators=[validate_time_zone]
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    email = models.EmailField(_("public email"), blank=True)
    phone = models.CharField(_("public phone"), max_length=40, blank=True)
    is_published = models.BooleanField(_("listed publicly"), default=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:agency-detail", kwargs={"slug": self.slug})


class Goal(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measure = models.CharField(
        _("how it is measured"), max_length=300, help_text=_("The figure that shows progress.")
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("goal")
        ordering = ["agency", "order", "id"]

    def __str__(self) -> str:
        return self.title


class Team(models.Model):
    """A group inbox inside an agency. Every reply from it is still signed by a person."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(_("what the team handles"), blank=True)

    class Meta:
        verbose_name = _("team")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="agencies_team_slug_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class StaffRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Agency administrator")


class StaffMembershipQuerySet(models.QuerySet["StaffMembership"]):
    def active(self) -> StaffMembershipQuerySet:
        return self.filter(is_active=True)

    def public(self) -> StaffMembershipQuerySet:
        return self.filter(is_active=True, is_public_profile=True, agency__is_published=True)


class StaffMembership(models.Model):
    """A person's work persona in one agency: what they post as when acting for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="memberships")
    teams = models.ManyToManyField(Team, blank=True, related_name="members")
    public_name = models.CharField(
        _("work name"), max_length=120, help_text=_("The name shown when acting for the agency.")
    )
    slug = models.SlugField(_("profile address"), max_length=80)
    job_title = models.CharField(_("job title"), max_length=120)
    role = models.CharField(
        _("role"), max_length=16, choices=StaffRole.choices, default=StaffRole.STAFF
    )
    is_public_profile = models.BooleanField(_("public profile"), default=True)
    bio = models.TextField(_("short biography"), blank=True, max_length=1000)
    is_active = models.BooleanField(_("active"), default=True)
    started_at = models.DateField(_("started"), null=True, blank=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["agency", "public_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="agencies_one_membership_per_agency"
            ),
            models.UniqueConstraint(
                fields=["agency", "slug"], name="agencies_membership_slug_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_name}, {self.job_title} ({self.agency})"

    def get_absolute_url(self) -> str:
        return reverse(
            "agencies:staff-detail", kwargs={"slug": self.agency.slug, "person": self.slug}
        )

    @property
    def signature(self) -> str:
        return f"{self.public_name}, {self.job_title}, {self.agency.name}"


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True, agency__is_published=True)


class Service(models.Model):
    """A kind of request an agency offers (an Open311 service). Standards come later."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(_("service code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


def memberships_of(user: Any) -> StaffMembershipQuerySet:
    """The active work personas of an account (empty for citizens and visitors)."""
    if user is None or not user.is_authenticated:
        return StaffMembership.objects.none()
    return StaffMembership.objects.active().filter(user=user).select_related("agency")
