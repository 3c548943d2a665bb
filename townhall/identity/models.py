"""Accounts: one per person, logging in with an email address.

A person has a public display name (shown in discussions), a legal name used only where a
transaction needs it, a preferred language, and an assurance level that says how sure
we are who they are. Their work personas live in `agencies` (staff memberships).
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssuranceLevel(models.TextChoices):
    NONE = "none", _("Not verified")
    EMAIL_VERIFIED = "email_verified", _("Email verified")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")


ASSURANCE_ORDER = [
    AssuranceLevel.NONE,
    AssuranceLevel.EMAIL_VERIFIED,
    AssuranceLevel.IDENTITY_VERIFIED,
]


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, user: Any) -> UserQuerySet:
        """Account data: a person sees their own account; site administrators see all."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(pk=user.pk)

    def findable_for_in_person_check(self, user: Any) -> UserQuerySet:
        """Accounts a verifier (permission `identity.verify_in_person`) may look up, by
        exact email address, to check someone in person: every active account but their
        own. Nobody else finds anyone."""
        if user is None or not user.is_authenticated:
            return self.none()
        if not user.has_perm("identity.verify_in_person"):
            return self.none()
        return self.filter(is_active=True).exclude(pk=user.pk)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        help_text=_("Shown next to what you write in public. It need not be your real name."),
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_(
            "Only used where a transaction needs it, such as a freedom-of-information request."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    assurance_level = models.CharField(
        _("assurance level"),
        max_length=32,
        choices=AssuranceLevel.choices,
        default=AssuranceLevel.NONE,
    )
    assurance_changed_at = models.DateTimeField(_("assurance level reached"), null=True, blank=True)
    is_staff = models.BooleanField(
        _("site administration access"),
        default=False,
        help_text=_("Can log in to the site administration pages."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by the demo city; may skip the second factor on a DEBUG server."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="identity_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.legal_name or self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    def has_assurance(self, level: str) -> bool:
        return ASSURANCE_ORDER.index(AssuranceLevel(self.assurance_level)) >= ASSURANCE_ORDER.index(
            AssuranceLevel(level)
        )


class AssuranceMethod(models.TextChoices):
    EMAIL = "email", _("Confirmed email address")
    OIDC = "oidc", _("Identity provider")
    IN_PERSON = "in_person", _("Seen in person")
    ADMIN = "admin", _("Set by an administrator")


class DocumentType(models.TextChoices):
    """The kind of identity document a verifier saw. Never its number."""

    PASSPORT = "passport", _("Passport")
    DRIVING_LICENSE = "driving_license", _("Driver's license")
    STATE_ID = "state_id", _("State ID card")
    OTHER = "other", _("Other official photo ID")


class AssuranceRecordQuerySet(models.QuerySet["AssuranceRecord"]):
    def current(self, at: Any = None) -> AssuranceRecordQuerySet:
        """Records that still count: not revoked and not expired."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )

    def visible_to(self, user: Any) -> AssuranceRecordQuerySet:
        """A person sees their own records; site administrators see all."""
        if user is None or not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.filter(user=user)


class AssuranceRecord(models.Model):
    """How and when an account reached an assurance level, and by whose word.

    It names the identity provider and the claims that justified it, never their values
    and never an identity document's number. `User.assurance_level` is the highest level
    among the account's current records, kept up to date by `identity.actions`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assurance_records"
    )
    level = models.CharField(_("level"), max_length=32, choices=AssuranceLevel.choices)
    method = models.CharField(_("how"), max_length=16, choices=AssuranceMethod.choices)
    provider_id = models.CharField(
        _("identity provider"),
        max_length=200,
        blank=True,
        help_text=_("The provider ID of the sign-in application that asserted it."),
    )
    provider_name = models.CharField(_("identity provider name"), max_length=200, blank=True)
    claims = models.JSONField(
        _("claims"),
        default=list,
        blank=True,
        help_text=_("The names of the claims that justified the level (never their values)."),
    )
    document_type = models.CharField(
        _("document type"), max_length=32, choices=DocumentType.choices, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_as = models.ForeignKey(
        "agencies.StaffMembership",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified as"),
        help_text=_("The work persona (and so the agency) of the staff member who checked."),
    )
    reached_at = models.DateTimeField(_("reached"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revocation_reason = models.TextField(
        _("reason for revoking"),
        blank=True,
        help_text=_("The account holder sees this reason."),
    )

    objects = AssuranceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("assurance record")
        ordering = ["-reached_at", "-pk"]
        indexes = [models.Index(fields=["user", "-reached_at"], name="identity_assurance_user")]
        permissions = [("verify_in_person", _("Can verify people in person"))]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_level_display()} · {self.get_method_display()}"

    def is_current(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > at)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


def _split_values(text: str) -> list[str]:
    return [value for value in text.replace(",", " ").split() if value]


class IdentityProviderPolicy(models.Model):
    """What Townhall believes from one OpenID Connect provider.

    The provider itself (issuer, client ID, secret or private key, scopes) is allauth's
    SocialApp with provider "openid_connect"; this names it by that app's provider ID and
    says which claims carry the name and email, and which `acr` or `vot` values mean the
    provider verified the person's identity.
    """

    provider_id = models.CharField(
        _("provider ID"),
        max_length=200,
        unique=True,
        help_text=_(
            "The “Provider ID” of the social application (provider “OpenID Connect”) "
            "this policy is for."
        ),
    )
    name_claim = models.CharField(_("name claim"), max_length=100, default="name")
    email_claim = models.CharField(_("email claim"), max_length=100, default="email")
    email_verified_claim = models.CharField(
        _("email verified claim"),
        max_length=100,
        default="email_verified",
        help_text=_("The email counts as verified only when this claim is exactly true."),
    )
    identity_acr_values = models.CharField(
        _("acr values that mean identity verified"),
        max_length=500,
        blank=True,
        help_text=_("Separated by spaces or commas. Leave empty if none do."),
    )
    identity_vot_values = models.CharField(
        _("vot values that mean identity verified"),
        max_length=500,
        blank=True,
        help_text=_(
            "Vectors of Trust: a value matches the whole `vot` claim or one of its "
            "dot-separated parts (such as P1). Separated by spaces or commas."
        ),
    )
    expiry_claim = models.CharField(
        _("expiry claim"),
        max_length=100,
        blank=True,
        help_text=_(
            "A claim holding the time (seconds since 1970) the identity verification ends, "
            "if the provider sends one."
        ),
    )
    identity_valid_days = models.PositiveIntegerField(
        _("identity verification lasts (days)"),
        null=True,
        blank=True,
        help_text=_("When the provider sends no expiry. Empty: until revoked."),
    )

    class Meta:
        verbose_name = _("identity provider policy")
        verbose_name_plural = _("identity provider policies")
        ordering = ["provider_id"]

    def __str__(self) -> str:
        return self.provider_id

    @property
    def acr_values(self) -> list[str]:
        return _split_values(self.identity_acr_values)

    @property
    def vot_values(self) -> list[str]:
        return _split_values(self.identity_vot_values)


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user: Any) -> ApiTokenQuerySet:
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class ApiToken(models.Model):
    """A REST API token. Only its hash is stored; the key is shown once, when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
