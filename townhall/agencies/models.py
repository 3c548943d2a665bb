"""Agencies, what they exist for, who works there, and what can be asked of them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from townhall.identity.models import AssuranceLevel

from .answers import clean_answers


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
    allow_totp_for_staff = models.BooleanField(
        _("staff may use an authenticator app"),
        default=False,
        help_text=_(
            "Staff must sign in with a security key or passkey (WebAuthn). Tick this to also "
            "accept a code from an authenticator app (TOTP) from this agency's staff."
        ),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agencies:agency-detail", kwargs={"slug": self.slug})


class GoalMetric(models.TextChoices):
    """The figures of the public dashboard a goal can set a target for. Each value is the
    figure's name in the dashboard API. Shares are set and compared in percent (0 to 100),
    higher is better; times in hours, lower is better."""

    PROMISES_KEPT_SHARE = "promises_kept_share", _("Promises kept (percent)")
    ACKNOWLEDGED_ON_TIME_SHARE = (
        "acknowledged_on_time_share",
        _("Requests acknowledged on time (percent)"),
    )
    ANSWERED_ON_TIME_SHARE = "answered_on_time_share", _("Requests answered on time (percent)")
    FOI_ON_TIME_SHARE = (
        "foi_on_time_share",
        _("Freedom-of-information requests answered on time (percent)"),
    )
    MEDIAN_HOURS_TO_ACKNOWLEDGE = (
        "median_hours_to_acknowledge",
        _("Median hours to acknowledge (hours)"),
    )
    P90_HOURS_TO_ACKNOWLEDGE = (
        "p90_hours_to_acknowledge",
        _("90th percentile of hours to acknowledge (hours)"),
    )
    MEDIAN_HOURS_TO_RESPOND = "median_hours_to_respond", _("Median hours to answer (hours)")
    P90_HOURS_TO_RESPOND = (
        "p90_hours_to_respond",
        _("90th percentile of hours to answer (hours)"),
    )


# Metrics read in percent, where more is better; every other metric is hours, fewer better.
SHARE_METRICS = frozenset(
    {
        GoalMetric.PROMISES_KEPT_SHARE,
        GoalMetric.ACKNOWLEDGED_ON_TIME_SHARE,
        GoalMetric.ANSWERED_ON_TIME_SHARE,
        GoalMetric.FOI_ON_TIME_SHARE,
    }
)


class Goal(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    measure = models.CharField(
        _("how it is measured"), max_length=300, help_text=_("The figure that shows progress.")
    )
    metric = models.CharField(
        _("dashboard figure"),
        max_length=40,
        blank=True,
        choices=GoalMetric.choices,
        help_text=_(
            "Optional: the dashboard figure this goal is checked against. Set a target with it."
        ),
    )
    target = models.DecimalField(
        _("target"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "For a percentage, the least to reach (0 to 100); for hours, the most to take."
        ),
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("goal")
        ordering = ["agency", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        has_metric, has_target = bool(self.metric), self.target is not None
        if has_metric and not has_target:
            raise ValidationError(
                {"target": _("Give a target for the chosen dashboard figure, or choose none.")}
            )
        if has_target and not has_metric:
            raise ValidationError(
                {"metric": _("Choose the dashboard figure this target is for, or clear it.")}
            )
        if not has_metric or not isinstance(self.target, int | float | Decimal):
            return  # nothing to compare, or the field's own check already failed
        if self.is_share and not 0 <= self.target <= 100:
            raise ValidationError({"target": _("A percentage target must be between 0 and 100.")})
        if not self.is_share and self.target <= 0:
            raise ValidationError({"target": _("A target in hours must be more than 0.")})

    @property
    def is_measurable(self) -> bool:
        return bool(self.metric) and self.target is not None

    @property
    def target_number(self) -> Decimal | None:
        """The target as a number to show: 90, 36.5 (no trailing zeros), localised by
        the templates."""
        if self.target is None:
            return None
        if self.target == self.target.to_integral_value():
            return self.target.quantize(Decimal(1))
        return self.target.normalize()

    @property
    def is_share(self) -> bool:
        """The metric is a percentage, where more is better (else hours, fewer better)."""
        return self.metric in SHARE_METRICS

    def is_met_by(self, actual: float | None) -> bool | None:
        """Whether a figure (percent or hours, as the target) meets the target; None when
        the goal has no target or there is no figure yet."""
        if not self.is_measurable or actual is None:
            return None
        target = float(self.target)  # type: ignore[arg-type]
        return actual >= target if self.is_share else actual <= target


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
    is_moderator = models.BooleanField(
        _("moderator"),
        default=False,
        help_text=_("Moderates the agency's conversations and discussions after the fact."),
    )
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


class ServiceKind(models.TextChoices):
    QUESTION = "question", _("Question")
    PROBLEM_REPORT = "problem_report", _("Problem report")
    SERVICE = "service", _("Request for a service")
    FOI_REQUEST = "foi_request", _("Freedom of information request")
    COMPLAINT = "complaint", _("Complaint")


# A standard is promised in working days; a year of them is already far beyond any
# sensible promise, so anything longer is a typo.
MAX_STANDARD_WORKING_DAYS = 365
# The statutory extension of an FOI deadline, offered by default for FOI services.
FOI_EXTENSION_WORKING_DAYS = 10
MAX_KEYWORDS = 30
MAX_KEYWORD_LENGTH = 50


def validate_keywords(value: Any) -> None:
    """Keywords are a list of short, distinct words or phrases (no commas)."""
    if not isinstance(value, list) or not all(isinstance(word, str) for word in value):
        raise ValidationError(_("Give the keywords as a list of words."), code="keywords")
    if len(value) > MAX_KEYWORDS:
        raise ValidationError(
            _("Give at most %(limit)s keywords."), params={"limit": MAX_KEYWORDS}, code="keywords"
        )
    for word in value:
        if not word.strip() or word != word.strip():
            raise ValidationError(_("A keyword cannot be empty or start or end with a space."))
        if "\x00" in word:
            raise ValidationError(_("A keyword contains a character that cannot be stored."))
        if "," in word:
            raise ValidationError(
                _("The keyword “%(word)s” contains a comma; give each keyword on its own."),
                params={"word": word[:MAX_KEYWORD_LENGTH]},
            )
        if len(word) > MAX_KEYWORD_LENGTH:
            raise ValidationError(
                _("Keep each keyword to %(limit)s characters or fewer."),
                params={"limit": MAX_KEYWORD_LENGTH},
            )
    if len({word.casefold() for word in value}) != len(value):
        raise ValidationError(_("Give each keyword only once."), code="keywords")


def normalize_keywords(words: Iterable[str] | str) -> list[str]:
    """Tidy keywords as people type them: split on commas, trim, drop empties and repeats."""
    if isinstance(words, str):
        words = words.split(",")
    tidy: list[str] = []
    seen: set[str] = set()
    for word in words:
        word = " ".join(str(word).split())
        if word and word.casefold() not in seen:
            seen.add(word.casefold())
            tidy.append(word)
    return tidy


def _working_days_field(verbose_name: Any, default: int, help_text: Any, least: int) -> Any:
    return models.PositiveSmallIntegerField(
        verbose_name,
        default=default,
        help_text=help_text,
        validators=[
            MinValueValidator(least),
            MaxValueValidator(
                MAX_STANDARD_WORKING_DAYS,
                message=_("A standard of more than %(limit_value)s working days is not a promise."),
            ),
        ],
    )


class ServiceQuerySet(models.QuerySet["Service"]):
    def active(self) -> ServiceQuerySet:
        return self.filter(is_active=True, agency__is_published=True)


class Service(models.Model):
    """A kind of request an agency offers (an Open311 service), with its standard: how
    soon the agency acknowledges and answers a request, in working days."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    code = models.SlugField(_("service code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ServiceKind.choices, default=ServiceKind.SERVICE
    )
    keywords = models.JSONField(
        _("keywords"),
        default=list,
        blank=True,
        validators=[validate_keywords],
        help_text=_("Words people might search for, such as “hole, road, street”."),
    )
    group = models.CharField(
        _("group"),
        max_length=80,
        blank=True,
        help_text=_("A short heading that gathers related services, such as “Streets”."),
    )
    location_required = models.BooleanField(
        _("needs a location"),
        default=False,
        help_text=_("Whether a request must say where: an address or a point on a map."),
    )
    required_assurance = models.CharField(
        _("who can file"),
        max_length=32,
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.EMAIL_VERIFIED,
        help_text=_("How sure we must be of who someone is before they can file."),
    )
    public_by_default = models.BooleanField(
        _("requests are public by default"),
        default=False,
        help_text=_("Freedom of information requests and answers are public by default."),
    )
    allows_private = models.BooleanField(
        _("citizens may make a request private"),
        default=True,
        help_text=_("Freedom of information requests usually cannot be made private."),
    )
    acknowledge_working_days = _working_days_field(
        _("acknowledge within (working days)"),
        2,
        _("How many working days after filing a person replies for the first time."),
        least=1,
    )
    respond_working_days = _working_days_field(
        _("answer within (working days)"),
        10,
        _("How many working days after filing the answer is due."),
        least=1,
    )
    extension_working_days = _working_days_field(
        _("extension (working days)"),
        0,
        _(
            "How many working days the answer may be extended by, once and with a reason "
            "(10 for Illinois FOI requests). 0 for none."
        ),
        least=0,
    )

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        ordering = ["agency", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(respond_working_days__gte=models.F("acknowledge_working_days")),
                name="agencies_service_respond_after_acknowledge",
            ),
            models.CheckConstraint(
                condition=models.Q(public_by_default=True) | models.Q(allows_private=True),
                name="agencies_service_private_default_allows_private",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "agencies:service-detail", kwargs={"slug": self.agency.slug, "code": self.code}
        )

    @property
    def needs_legal_name(self) -> bool:
        """Whether the staff handling a request of this service see the requester's legal
        name: freedom-of-information requests, and services that need a verified
        identity. Nowhere else, and never in public (decision 0016)."""
        return bool(
            self.kind == ServiceKind.FOI_REQUEST
            or self.required_assurance == AssuranceLevel.IDENTITY_VERIFIED
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        acknowledge, respond = self.acknowledge_working_days, self.respond_working_days
        if isinstance(acknowledge, int) and isinstance(respond, int) and respond < acknowledge:
            errors["respond_working_days"] = ValidationError(
                _(
                    "The answer cannot be due before the acknowledgement: answer within "
                    "%(acknowledge)s working days or more."
                ),
                params={"acknowledge": acknowledge},
                code="respond_before_acknowledge",
            )
        if not self.public_by_default and not self.allows_private:
            errors["allows_private"] = ValidationError(
                _(
                    "Requests that are private by default must allow private requests. "
                    "Make requests public by default, or allow them to be private."
                ),
                code="private_not_allowed",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_foi(self) -> bool:
        return self.kind == ServiceKind.FOI_REQUEST

    def validate_answers(self, answers: Mapping[Any, Any] | None) -> dict[str, Any]:
        """Check a citizen's answers to this service's questions; see `answers.py`.

        Uses prefetched `attributes` when they are there, else one query, and the agency's
        time zone for times given without an offset.
        """
        return clean_answers(self.attributes.all(), answers, time_zone=self.agency.time_zone)


class AttributeDatatype(models.TextChoices):
    """Open311's attribute datatypes, plus `date` (offered to Open311 as `datetime`)."""

    STRING = "string", _("Short text")
    TEXT = "text", _("Longer text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    SINGLE_VALUE_LIST = "singlevaluelist", _("One choice from a list")
    MULTI_VALUE_LIST = "multivaluelist", _("Any choices from a list")


LIST_DATATYPES = frozenset(
    {AttributeDatatype.SINGLE_VALUE_LIST, AttributeDatatype.MULTI_VALUE_LIST}
)
MAX_ATTRIBUTE_VALUES = 100
VALUE_KEY_PATTERN = re.compile(r"^[\w.-]{1,100}\Z")
MAX_VALUE_NAME_LENGTH = 200


def validate_attribute_values(value: Any) -> None:
    """The choices of a list question: [{"key": ..., "name": ...}, ...], keys distinct."""
    message = _("Give the choices as a list of objects with a “key” and a “name”.")
    if not isinstance(value, list):
        raise ValidationError(message, code="choices")
    if len(value) > MAX_ATTRIBUTE_VALUES:
        raise ValidationError(
            _("Offer at most %(limit)s choices."), params={"limit": MAX_ATTRIBUTE_VALUES}
        )
    keys: set[str] = set()
    for choice in value:
        if not isinstance(choice, dict) or set(choice) != {"key", "name"}:
            raise ValidationError(message, code="choices")
        key, name = choice["key"], choice["name"]
        if not isinstance(key, str) or not VALUE_KEY_PATTERN.match(key):
            raise ValidationError(
                _(
                    "The key “%(key)s” must be 1 to 100 letters, digits, dots, hyphens or "
                    "underscores."
                ),
                params={"key": str(key)[:100]},
                code="choices",
            )
        if not isinstance(name, str) or not name.strip() or "\x00" in name:
            raise ValidationError(
                _("The choice “%(key)s” needs a name."), params={"key": key}, code="choices"
            )
        if len(name) > MAX_VALUE_NAME_LENGTH:
            raise ValidationError(
                _("Keep the name of the choice “%(key)s” to %(limit)s characters or fewer."),
                params={"key": key, "limit": MAX_VALUE_NAME_LENGTH},
                code="choices",
            )
        if key in keys:
            raise ValidationError(
                _("The key “%(key)s” is used twice; each choice needs its own key."),
                params={"key": key},
                code="duplicate",
            )
        keys.add(key)


class ServiceAttribute(models.Model):
    """A question a service asks when a request is filed (an Open311 attribute)."""

    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(
        _("code"),
        max_length=64,
        help_text=_("How answers refer to this question. It cannot change once set."),
    )
    description = models.CharField(
        _("question"), max_length=500, help_text=_("The question as people will read it.")
    )
    datatype = models.CharField(
        _("kind of answer"), max_length=20, choices=AttributeDatatype.choices
    )
    datatype_description = models.CharField(
        _("hint"),
        max_length=300,
        blank=True,
        help_text=_("Help with answering, such as “Measure across the widest part”."),
    )
    required = models.BooleanField(_("an answer is required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    variable = models.BooleanField(
        _("asks for an answer"),
        default=True,
        help_text=_("Untick for a note people read but do not answer (Open311 “variable”)."),
    )
    values = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        validators=[validate_attribute_values],
        help_text=_("For list questions only: the choices, each with a key and a name."),
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["service", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "code"],
                name="agencies_attribute_code_unique_per_service",
                violation_error_message=_("This service already asks a question with this code."),
            )
        ]

    def __str__(self) -> str:
        return self.description

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        has_values = isinstance(self.values, list) and len(self.values) > 0
        if not isinstance(self.values, list):
            pass  # the field's own validator says what is wrong
        elif self.datatype in LIST_DATATYPES and not has_values:
            errors["values"] = ValidationError(
                _("A question answered from a list needs at least one choice."),
                code="no_choices",
            )
        elif self.datatype and self.datatype not in LIST_DATATYPES and has_values:
            errors["values"] = ValidationError(
                _("Only questions answered from a list have choices; remove them."),
                code="choices_not_allowed",
            )
        if self.required and not self.variable:
            errors["required"] = ValidationError(
                _("A note that takes no answer cannot require one."), code="note_required"
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_list(self) -> bool:
        return self.datatype in LIST_DATATYPES

    @property
    def open311_datatype(self) -> str:
        """Open311 has no date type: a date question is offered as `datetime`."""
        return (
            AttributeDatatype.DATETIME if self.datatype == AttributeDatatype.DATE else self.datatype
        )


def memberships_of(user: Any) -> StaffMembershipQuerySet:
    """The active work personas of an account (empty for citizens and visitors)."""
    if user is None or not user.is_authenticated:
        return StaffMembership.objects.none()
    return StaffMembership.objects.active().filter(user=user).select_related("agency")
