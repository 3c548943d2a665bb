"""Filing a request: who may, what is checked, and nothing filed twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from townhall.activity.actions import entries_recorded, follow
from townhall.activity.models import Activity
from townhall.agencies.models import Agency, Service, Team, memberships_of
from townhall.commitments import actions as commitment_actions
from townhall.commitments.deadlines import CalendarError
from townhall.commitments.models import Commitment
from townhall.commitments.queries import calendar_for
from townhall.conversations.attachments import CheckedFile, store_attachments
from townhall.conversations.models import Thread, ThreadKind
from townhall.identity.models import ASSURANCE_ORDER, AssuranceLevel

from ..models import (
    ADDRESS_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    IDEMPOTENCY_KEY_MAX_LENGTH,
    RequestContact,
    RoutingRule,
    ServiceRequest,
    Status,
)
from .contacts import CONTACT_SERVICE_LEVELS, clean_contact
from .steps import (
    _check_files,
    _is_authenticated,
    _now,
    _record,
    _text,
)

COORDINATE = Decimal("0.000001")


class AssuranceTooLow(PermissionDenied):
    """The account is not verified enough for this service. `required` and `current` are
    `AssuranceLevel` values; the message says how to reach the level needed (views can add
    a link to the account page, `identity:account`)."""

    def __init__(self, *, required: str, current: str, service_name: str = "") -> None:
        self.required = required
        self.current = current
        needed = AssuranceLevel(required).label
        hints: dict[str, str] = {
            AssuranceLevel.EMAIL_VERIFIED: _(
                "Confirm your email address with the link we sent you; you can ask for a new "
                "link on your account page."
            ),
            AssuranceLevel.IDENTITY_VERIFIED: _(
                "Verify your identity through the identity provider offered on your account page."
            ),
        }
        how = hints.get(required, _("Your account page explains how."))
        if service_name:
            message = _(
                "To file “%(service)s” your account must be at the level “%(needed)s”; it is "
                "“%(current)s”. %(how)s"
            ) % {
                "service": service_name,
                "needed": needed,
                "current": AssuranceLevel(current).label,
                "how": how,
            }
        else:
            message = _("This needs an account at the level “%(needed)s”. %(how)s") % {
                "needed": needed,
                "how": how,
            }
        super().__init__(message)
        self.message = message


class IdempotencyConflict(ValidationError):
    """The idempotency key was already used to file something else."""


def _require_assurance(by: Any, service: Service) -> None:
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to file a request."))
    current = by.assurance_level or AssuranceLevel.NONE
    required = service.required_assurance
    if ASSURANCE_ORDER.index(AssuranceLevel(current)) < ASSURANCE_ORDER.index(
        AssuranceLevel(required)
    ):
        raise AssuranceTooLow(required=required, current=current, service_name=service.name)


def _coordinate(value: Any) -> Decimal | None:
    """A latitude or longitude as sent (text, number); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 40:
            return None
    if not isinstance(value, str | int | float | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if abs(number) >= 1000:  # a number, but no place on Earth: left as it is
        return number
    return number.quantize(COORDINATE)


def clean_location(latitude: Any, longitude: Any, address: Any) -> dict[str, Any]:
    """Check a location as sent: both coordinates or neither, numbers, inside the service
    area (`settings.SERVICE_AREA`); an address of up to 300 characters. Returns the
    cleaned `latitude`, `longitude` and `address`, or raises ValidationError."""
    errors: dict[str, str] = {}
    try:
        cleaned_address = _text(
            address,
            field_name="address",
            what=_("address"),
            limit=ADDRESS_MAX_LENGTH,
            required=False,
        )
    except ValidationError as error:
        errors.update({key: value[0] for key, value in error.message_dict.items()})
        cleaned_address = ""
    empty = (None, "")
    lat = None if latitude in empty else latitude
    lon = None if longitude in empty else longitude
    cleaned_lat = cleaned_lon = None
    if (lat is None) != (lon is None):
        errors["location"] = _("Give both the latitude and the longitude, or neither.")
    elif lat is not None:
        cleaned_lat, cleaned_lon = _coordinate(lat), _coordinate(lon)
        if cleaned_lat is None or cleaned_lon is None:
            errors["location"] = _(
                "Give the latitude and longitude as numbers, such as 39.7817 and -89.6501."
            )
        else:
            south, west, north, east = settings.SERVICE_AREA
            if not (
                Decimal(str(south)) <= cleaned_lat <= Decimal(str(north))
                and Decimal(str(west)) <= cleaned_lon <= Decimal(str(east))
            ):
                errors["location"] = _(
                    "That place is outside %(area)s. Choose a place within %(area)s, or "
                    "describe it in the address."
                ) % {"area": settings.SERVICE_AREA_NAME}
    if errors:
        raise ValidationError(errors)
    return {"latitude": cleaned_lat, "longitude": cleaned_lon, "address": cleaned_address}


def _fingerprint(
    service: Service,
    description: str,
    answers: dict[str, Any],
    location: dict[str, Any],
    is_public: bool,
) -> str:
    content = {
        "service": service.code,
        "description": description,
        "answers": answers,
        "latitude": None if location["latitude"] is None else str(location["latitude"]),
        "longitude": None if location["longitude"] is None else str(location["longitude"]),
        "address": location["address"],
        "public": is_public,
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _find_filing(requester: Any, key: str) -> ServiceRequest | None:
    """The request `requester` already filed with this idempotency key, if any."""
    return ServiceRequest.objects.filter(requester=requester, idempotency_key=key).first()


def _replay(existing: ServiceRequest, fingerprint: str) -> ServiceRequest:
    if existing.idempotency_fingerprint != fingerprint:
        raise IdempotencyConflict(
            {
                "idempotency_key": _(
                    "This idempotency key was already used to file %(reference)s with "
                    "different content. Use a new key for a new request."
                )
                % {"reference": existing.reference}
            }
        )
    return existing


def _route(
    agency: Agency,
    service: Service,
    description: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
) -> Team | None:
    """The team of the first routing rule of the agency that matches, if any."""
    text = description.casefold()
    for rule in RoutingRule.objects.filter(agency=agency).select_related("team"):
        if rule.service_id is not None and rule.service_id != service.pk:
            continue
        keywords = [str(word).casefold() for word in rule.keywords or []]
        if keywords and not any(word and word in text for word in keywords):
            continue
        bounds = (rule.min_latitude, rule.max_latitude, rule.min_longitude, rule.max_longitude)
        if any(bound is not None for bound in bounds):
            if latitude is None or longitude is None:
                continue
            if rule.min_latitude is not None and latitude < rule.min_latitude:
                continue
            if rule.max_latitude is not None and latitude > rule.max_latitude:
                continue
            if rule.min_longitude is not None and longitude < rule.min_longitude:
                continue
            if rule.max_longitude is not None and longitude > rule.max_longitude:
                continue
        return rule.team
    return None


def _calendar_not_set_up(agency: Agency, error: CalendarError) -> ValidationError:
    return ValidationError(
        _(
            "%(agency)s cannot take requests right now: its working-day calendar is not "
            "set up (%(error)s)."
        )
        % {"agency": agency.name, "error": error}
    )


def _reserve_number() -> int:
    """The id, and the number of the reference, of the request about to be filed: taken
    from the table's sequence, so two filings at once never get the same one. A filing
    rolled back leaves a gap, as an id does.

    On PostgreSQL, `nextval` of the id's sequence (not transactional: never handed out
    twice). On SQLite the transaction already holds the database's write lock
    (`transaction_mode` IMMEDIATE in settings), so the next AUTOINCREMENT value cannot be
    taken by anyone else before this transaction commits; the primary key would refuse a
    clash in any case.
    """
    table = ServiceRequest._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
        else:
            # The model's own table name, quoted: nothing typed by anyone reaches this SQL.
            highest = f"SELECT MAX(id) FROM {connection.ops.quote_name(table)}"  # noqa: S608
            known = "SELECT seq FROM sqlite_sequence WHERE name = %s"
            sql = f"SELECT MAX(COALESCE(({known}), 0), COALESCE(({highest}), 0)) + 1"  # noqa: S608
            cursor.execute(sql, [table])
        row = cursor.fetchone()
    return int(row[0])


class Filing(NamedTuple):
    """What `file_request_outcome` did: the request, and whether this call filed it (False: the request
    filed earlier with the same idempotency key was returned)."""

    request: ServiceRequest
    is_new: bool
    # For a new request, what the filing wrote besides it, as written: its commitments
    # and the log entries (so the filer's answer is built without reading them again).
    commitments: tuple[Commitment, ...] = ()
    entries: tuple[Activity, ...] = ()


def file_request(
    *,
    by: Any,
    service: Service,
    description: str,
    answers: dict[str, Any] | None = None,
    latitude: Any = None,
    longitude: Any = None,
    address: str = "",
    is_public: bool | None = None,
    files: Sequence[CheckedFile] = (),
    idempotency_key: str = "",
    contact: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> ServiceRequest:
    """A citizen files a request of a service: `file_request_outcome`, which says what it checks and
    creates, giving only the request."""
    return file_request_outcome(
        by=by,
        service=service,
        description=description,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
        address=address,
        is_public=is_public,
        files=files,
        idempotency_key=idempotency_key,
        contact=contact,
        at=at,
    ).request


def file_request_outcome(
    *,
    by: Any,
    service: Service,
    description: str,
    answers: dict[str, Any] | None = None,
    latitude: Any = None,
    longitude: Any = None,
    address: str = "",
    is_public: bool | None = None,
    files: Sequence[CheckedFile] = (),
    idempotency_key: str = "",
    contact: Mapping[str, Any] | None = None,
    at: dt.datetime | None = None,
) -> Filing:
    """A citizen files a request of a service.

    Checks, in this order: signed in (PermissionDenied) with the service's assurance level
    (AssuranceTooLow); the service still offered; then every field at once, raising one
    ValidationError whose keys are `description`, `location` (coordinates: missing half,
    not numbers, outside the service area, or none given when the service needs one),
    `address`, `is_public`, `files`, `idempotency_key`, and for the answers `answers.<code>`
    per question (or `answers` when the answers are not an object of codes).

    Creates, in one transaction: the reply thread, the request (reference
    SPR-<year>-<number>), its acknowledge and respond commitments from the service's
    standard (`expected_at` = the respond due time), the team from the agency's first
    matching routing rule, the attachments (already checked with `check_uploads`), and one
    Activity `request.filed`.

    `idempotency_key`: filing again with the same key and the same content returns the
    request filed the first time (nothing is filed twice, even when both arrive at once);
    the same key with other content raises IdempotencyConflict.

    `contact` (email, first_name, last_name, phone, device_id, account_id): an
    application (an Open311 client) files for a person who has no verified account. Only
    an account with the permission `service_requests.file_for_contact` may, and only for
    services that ask for no more than a verified email address; the requester is then
    `by` (the application's account) until the person claims the request
    (`claim_contact_requests`), and the details are kept in a RequestContact. Errors on
    them come under `contact.<field>`.
    """
    if contact is None:
        _require_assurance(by, service)
    else:
        if not _is_authenticated(by) or not by.has_perm("service_requests.file_for_contact"):
            raise PermissionDenied(_("Only an approved application can file for someone else."))
        if service.required_assurance not in CONTACT_SERVICE_LEVELS:
            raise AssuranceTooLow(
                required=service.required_assurance,
                current=AssuranceLevel.NONE,
                service_name=service.name,
            )
    service = Service.objects.select_related("agency").get(pk=service.pk)
    agency = service.agency
    if not service.is_active or not agency.is_published:
        raise ValidationError(
            {"service": _("“%(service)s” is no longer offered.") % {"service": service.name}}
        )
    if contact is None and memberships_of(by).filter(agency=agency).exists():
        # Personas are kept apart (decision 0016): no citizen requests about one's own work.
        raise PermissionDenied(
            _(
                "You work for %(agency)s, so you cannot file a citizen request to it. Record "
                "the work in the inbox, or ask a colleague outside the agency to file it."
            )
            % {"agency": agency.name}
        )
    errors: dict[str, list[str]] = {}

    def collect(error: ValidationError, prefix: str = "") -> None:
        if hasattr(error, "error_dict"):
            for key, messages in error.message_dict.items():
                errors.setdefault(f"{prefix}{key}", []).extend(messages)
        else:
            errors.setdefault(prefix.rstrip(".") or "__all__", []).extend(error.messages)

    cleaned_description = ""
    try:
        cleaned_description = _text(
            description,
            field_name="description",
            what=_("description"),
            limit=DESCRIPTION_MAX_LENGTH,
        )
    except ValidationError as error:
        if (
            "description" in error.message_dict
            and not (description if isinstance(description, str) else "").strip()
        ):
            errors["description"] = [_("Describe your request.")]
        else:
            collect(error)
    cleaned_answers: dict[str, Any] = {}
    try:
        cleaned_answers = service.validate_answers(answers)
    except ValidationError as error:
        collect(error, "answers.")
    location: dict[str, Any] = {"latitude": None, "longitude": None, "address": ""}
    try:
        location = clean_location(latitude, longitude, address)
    except ValidationError as error:
        collect(error)
    if (
        "location" not in errors
        and "address" not in errors
        and service.location_required
        and location["latitude"] is None
        and not location["address"]
    ):
        errors["location"] = [
            _("Say where: give an address, or a point on the map (latitude and longitude).")
        ]
    public = service.public_by_default if is_public is None else bool(is_public)
    if not public and not service.allows_private:
        errors["is_public"] = [
            _("Requests for “%(service)s” are always public; they cannot be made private.")
            % {"service": service.name}
        ]
    try:
        checked_files = _check_files(files)
    except ValidationError as error:
        collect(error)
        checked_files = []
    key = idempotency_key.strip() if isinstance(idempotency_key, str) else ""
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH or "\x00" in key:
        errors["idempotency_key"] = [
            _("An idempotency key is at most %(limit)s characters.")
            % {"limit": IDEMPOTENCY_KEY_MAX_LENGTH}
        ]
    cleaned_contact: dict[str, str] = {}
    if contact is not None:
        try:
            cleaned_contact = clean_contact(contact)
        except ValidationError as error:
            collect(error, "contact.")
    if errors:
        raise ValidationError(errors)

    fingerprint = (
        _fingerprint(service, cleaned_description, cleaned_answers, location, public) if key else ""
    )
    # What only reads is done before the transaction: on SQLite the transaction holds the
    # database's write lock (transaction_mode IMMEDIATE), so it should be short.
    submitted_at = _now(at)
    calendar_error: CalendarError | None = None
    try:
        # The agency's closure days are read once, for the expected time and the promises.
        calendar = calendar_for(agency)
        expected_at = calendar.deadline(submitted_at, service.respond_working_days).due_at
    except CalendarError as error:
        calendar_error = error  # a retry of a request already filed is still answered
    team = _route(agency, service, cleaned_description, location["latitude"], location["longitude"])
    with transaction.atomic(), entries_recorded() as entries:
        if key:
            existing = _find_filing(by, key)
            if existing is not None:
                return Filing(_replay(existing, fingerprint), is_new=False)
        if calendar_error is not None:
            raise _calendar_not_set_up(agency, calendar_error) from calendar_error
        # The number is reserved first, so the request and its thread are written once with
        # their final reference and title.
        number = _reserve_number()
        year = submitted_at.astimezone(ZoneInfo(agency.time_zone)).year
        reference = ServiceRequest.format_reference(year, number)
        try:
            # Only a retry with an idempotency key recovers from a clash, inside a savepoint.
            with transaction.atomic(savepoint=bool(key)):
                thread = Thread.objects.create(
                    kind=ThreadKind.REQUEST,
                    agency=agency,
                    title=f"{reference}: {service.name}"[:200],
                )
                request = ServiceRequest.objects.create(
                    pk=number,
                    reference=reference,
                    service=service,
                    agency=agency,
                    requester=by,
                    description=cleaned_description,
                    answers=cleaned_answers,
                    latitude=location["latitude"],
                    longitude=location["longitude"],
                    address=location["address"],
                    is_public=public,
                    status=Status.SUBMITTED,
                    submitted_at=submitted_at,
                    status_changed_at=submitted_at,
                    expected_at=expected_at,
                    team=team,
                    thread=thread,
                    idempotency_key=key,
                    idempotency_fingerprint=fingerprint,
                )
        except IntegrityError:
            if not key:
                raise
            winner = _find_filing(by, key)
            if winner is None:  # pragma: no cover - the constraint names no other cause
                raise
            return Filing(_replay(winner, fingerprint), is_new=False)

        _record(
            request,
            verb="request.filed",
            summary=f"{by.display_name} filed {request.reference}: {service.name}",
            by=by,
            at=submitted_at,  # the same moment as its promises, made as of `submitted_at`
        )
        if contact is None:
            follow(by=by, target=request, is_own_new=True)  # they hear of every change
        else:  # an application does not follow; the person will, once they claim it
            RequestContact.objects.create(request=request, filed_via=by, **cleaned_contact)
        try:
            commitments = commitment_actions.make_standard_commitments(
                agency=agency,
                service=service,
                received_at=submitted_at,
                made_to=by,
                subject=request,
                is_public=public,
                calendar=calendar,
            )
        except CalendarError as error:  # pragma: no cover - the calendar was built above
            raise _calendar_not_set_up(agency, error) from error
        # `expected_at` is the respond promise's due time, from the same calendar and moment.
        if request.team_id is not None:
            commitment_actions.hand_over_commitments(
                subject=request, holder=None, team=request.team
            )
            for commitment in commitments:  # as the update above left their rows
                commitment.team, commitment.holder = request.team, None
        if checked_files:
            store_attachments(thread=thread, message=None, uploaded_by=by, files=checked_files)
        return Filing(request, is_new=True, commitments=commitments, entries=tuple(entries))
