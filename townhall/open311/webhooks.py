"""Webhooks: public request events sent to applications as signed JSON POSTs.

The activity log is the source: an Activity about a public request (or a public
commitment on one) whose verb maps to a `WebhookEvent` becomes one `WebhookDelivery` per
active subscription (at most one per subscription and activity), created after the
action's transaction commits. Each delivery is POSTed with an HMAC-SHA256 signature of
the raw body; a failure is retried with backoff, up to `MAX_ATTEMPTS` attempts.

Addresses are checked before every attempt (DNS can change): only http and https, and
never this server's own host, loopback, private, link-local, multicast, reserved or
unspecified addresses unless an administrator allowed it for the subscription.
Redirects are never followed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from townhall.activity.models import Activity, Visibility
from townhall.commitments.models import Commitment
from townhall.service_requests.models import ServiceRequest

from .models import WebhookDelivery, WebhookEvent, WebhookSubscription

logger = logging.getLogger(__name__)

USER_AGENT = "Townhall-Webhooks"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 6
# The wait after the 1st, 2nd, ... failed attempt; after the 6th, no more.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
# While an attempt runs, the delivery is not due for another worker.
ATTEMPT_LEASE = dt.timedelta(minutes=2)

# Activity verbs → the event applications see.
EVENT_OF_VERB: dict[str, str] = {
    "request.filed": WebhookEvent.REQUEST_FILED,
    "request.acknowledged": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.resumed": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.clarification_requested": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.answered": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.closed": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.reopened": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.declined": WebhookEvent.REQUEST_STATUS_CHANGED,
    "request.duplicate": WebhookEvent.REQUEST_STATUS_CHANGED,
    "commitment.kept": WebhookEvent.COMMITMENT_KEPT,
    "commitment.broken": WebhookEvent.COMMITMENT_BROKEN,
    # Done after the due time before the scheduled check broke it: it breaks now.
    "commitment.done_late": WebhookEvent.COMMITMENT_BROKEN,
}


class AddressRefused(Exception):
    """The target URL may not be called (scheme, or where its host resolves)."""


# --- the address guard -------------------------------------------------------------------


def _own_host_names() -> set[str]:
    names = {"localhost", socket.gethostname().lower(), socket.getfqdn().lower()}
    site_host = urlsplit(settings.SITE_URL).hostname
    if site_host:
        names.add(site_host.lower())
    for host in settings.ALLOWED_HOSTS:
        host = host.lower().lstrip(".")
        if host and host != "*":
            names.add(host)
    return names


def _addresses(host: str, port: int) -> set[str]:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as error:
        raise AddressRefused(_("The host %(host)s could not be found.") % {"host": host}) from error
    return {str(info[4][0]) for info in found}


def _is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def check_address(url: str, *, allow_private: bool) -> None:
    """Raise AddressRefused unless `url` may be POSTed to: http(s), and (unless
    `allow_private`) a host that is not this server and resolves only to public
    addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused(_("Only http and https addresses can receive webhooks."))
    if allow_private:
        return
    host = parts.hostname.lower().rstrip(".")
    if host in _own_host_names():
        raise AddressRefused(_("The address is this server's own host."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise AddressRefused(_("The address has an invalid port.")) from error
    addresses = _addresses(host, port)
    own = _own_addresses()
    for address in addresses:
        if address in own or not _is_public_address(address):
            raise AddressRefused(
                _(
                    "The address resolves to %(address)s, a private or reserved address; "
                    "an administrator must allow private addresses for this subscription."
                )
                % {"address": address}
            )


def _own_addresses() -> set[str]:
    try:
        return _addresses(socket.gethostname(), 80)
    except AddressRefused:
        return set()


def validate_target_url(url: str, *, allow_private: bool) -> None:
    """`check_address` for forms and actions: a ValidationError on `target_url`."""
    try:
        check_address(url, allow_private=allow_private)
    except AddressRefused as error:
        raise ValidationError({"target_url": str(error)}) from error


class _CheckedPeer:
    """A urllib3 connection that refuses, before sending a byte, a peer address the guard
    forbids: the address actually connected to, so DNS answering differently between the
    check and the connection (rebinding) changes nothing."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        peer = str(sock.getpeername()[0])
        if not _is_public_address(peer) or peer in _own_addresses():
            sock.close()
            raise AddressRefused(
                _("The address resolves to %(address)s, a private or reserved address.")
                % {"address": peer}
            )
        return sock


class _CheckedHTTPConnection(_CheckedPeer, urllib3.connection.HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedPeer, urllib3.connection.HTTPSConnection):
    pass


class _CheckedHTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


def _session(*, allow_private: bool) -> requests.Session:
    """A session that ignores proxy variables (the peer checked is the receiver) and,
    unless private addresses are allowed, checks the address it connects to."""
    session = requests.Session()
    session.trust_env = False
    if not allow_private:
        session.mount("http://", _CheckedAdapter())
        session.mount("https://", _CheckedAdapter())
    return session


# --- signatures and payloads -------------------------------------------------------------


def signature(body: bytes, secret: str) -> str:
    """The `X-Townhall-Signature` header: `sha256=` and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _subject_request(activity: Activity) -> tuple[ServiceRequest | None, Commitment | None]:
    """The public request an activity is about (directly, or through a commitment)."""
    from .queries import public_requests

    model = activity.target_type.model_class() if activity.target_type else None
    if model is ServiceRequest:
        return public_requests().filter(pk=activity.target_id).first(), None
    if model is Commitment:
        commitment = Commitment.objects.filter(pk=activity.target_id, is_public=True).first()
        if commitment is None or commitment.subject_type_id != _request_type_id():
            return None, None
        return public_requests().filter(pk=commitment.subject_id).first(), commitment
    return None, None


def _request_type_id() -> int:
    return ContentType.objects.get_for_model(ServiceRequest).pk


def payload_for(activity: Activity) -> dict[str, Any] | None:
    """What the applications are sent about `activity`: the request as Open311 shows it
    (never the requester), and the commitment for commitment events; None when the
    activity is not a public request's event."""
    from .views import request_data

    event = EVENT_OF_VERB.get(activity.verb)
    if event is None or activity.visibility != Visibility.PUBLIC:
        return None
    request, commitment = _subject_request(activity)
    if request is None:
        return None
    payload: dict[str, Any] = {
        "event": event,
        "occurred_at": _iso(activity.occurred_at),
        "service_request": request_data(request, http=None, extensions=True),
    }
    if commitment is not None:
        payload["commitment"] = {
            "kind": commitment.kind,
            "state": commitment.state,
            "due_datetime": _iso(commitment.due_at),
            "kept_datetime": _iso(commitment.kept_at),
            "broken_datetime": _iso(commitment.broken_at),
        }
    return payload


# --- deliveries --------------------------------------------------------------------------


def activity_may_notify(activity: Activity) -> bool:
    """A cheap test, with no query, of whether an activity can become a webhook event."""
    return activity.verb in EVENT_OF_VERB and activity.visibility == Visibility.PUBLIC


def _was_broken_before(activity: Activity) -> bool:
    return (
        Activity.objects.filter(
            verb="commitment.broken",
            target_type_id=activity.target_type_id,  # type: ignore[attr-defined]
            target_id=activity.target_id,
            pk__lt=activity.pk,
        )
        .order_by()
        .exists()
    )


def create_deliveries(activity_id: int) -> list[int]:
    """One delivery of the activity's event per active subscription that wants it; ids of
    the deliveries made now (none twice, however often this runs)."""
    activity = Activity.objects.select_related("target_type").filter(pk=activity_id).first()
    if activity is None or not activity_may_notify(activity):
        return []
    if activity.verb == "commitment.done_late" and _was_broken_before(activity):
        return []  # its break was an event of its own
    event = EVENT_OF_VERB[activity.verb]
    subscriptions = [
        subscription
        for subscription in WebhookSubscription.objects.active()
        if event in subscription.events
    ]
    if not subscriptions:
        return []
    payload = payload_for(activity)
    if payload is None:
        return []
    made = []
    now = timezone.now()
    for subscription in subscriptions:
        try:
            with transaction.atomic():
                delivery, created = WebhookDelivery.objects.get_or_create(
                    subscription=subscription,
                    activity=activity,
                    defaults={"event": event, "payload": payload, "next_attempt_at": now},
                )
        except IntegrityError:  # made at the same moment by another worker
            continue
        if created:
            made.append(delivery.pk)
    return made


def due_deliveries(now: dt.datetime | None = None) -> list[int]:
    """Deliveries waiting for an attempt now, oldest first."""
    return list(
        WebhookDelivery.objects.filter(
            delivered_at__isnull=True,
            next_attempt_at__lte=now or timezone.now(),
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    """Take the delivery for one attempt; False when it is delivered, not due, given up,
    or being attempted by another worker."""
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            delivered_at__isnull=True,
            next_attempt_at__lte=now,
            attempts__lt=MAX_ATTEMPTS,
        ).update(attempts=F("attempts") + 1, next_attempt_at=now + ATTEMPT_LEASE)
    )


def attempt(delivery_id: int) -> WebhookDelivery | None:
    """Try to deliver once, if due. Records the outcome; returns the delivery, or None
    when there was nothing to attempt."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related(
        "subscription", "subscription__application"
    ).get(pk=delivery_id)
    subscription = delivery.subscription
    status_code: int | None = None
    if not subscription.is_active or not subscription.application.is_active:
        delivery.last_error = _("The subscription is off or the application's key is revoked.")
        delivery.next_attempt_at = None
        delivery.save(update_fields=["last_error", "next_attempt_at"])
        return delivery
    body = json.dumps(delivery.payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
    try:
        allow_private = subscription.allow_private_address
        check_address(subscription.target_url, allow_private=allow_private)
        with _session(allow_private=allow_private) as session:
            response = session.post(
                subscription.target_url,
                data=body,
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "User-Agent": USER_AGENT,
                    "X-Townhall-Event": delivery.event,
                    "X-Townhall-Delivery": str(delivery.pk),
                    "X-Townhall-Signature": signature(body, subscription.secret),
                },
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
            )
        status_code = response.status_code
        error = (
            ""
            if 200 <= status_code < 300
            else _("The receiver answered HTTP %(code)s.") % {"code": status_code}
        )
    except AddressRefused as refused:
        error = _("Refused: %(reason)s") % {"reason": refused}
    except requests.RequestException as failure:
        error = _("Could not reach the receiver: %(error)s") % {"error": type(failure).__name__}
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    if not error:
        delivery.delivered_at, delivery.next_attempt_at = timezone.now(), None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.next_attempt_at = None  # given up
    else:
        delivery.next_attempt_at = timezone.now() + BACKOFF[delivery.attempts - 1]
    delivery.save(
        update_fields=["last_status_code", "last_error", "delivered_at", "next_attempt_at"]
    )
    if error:
        logger.info("webhook delivery %s failed: %s", delivery.pk, error)
    return delivery


# --- listening to the activity log -------------------------------------------------------


def _activity_saved(sender: Any, instance: Activity, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw") or not activity_may_notify(instance):
        return
    activity_id = instance.pk
    transaction.on_commit(lambda: _queue(activity_id))


def _queue(activity_id: int) -> None:
    from .tasks import queue_webhooks

    if WebhookSubscription.objects.active().exists():
        queue_webhooks.enqueue(activity_id=activity_id)


def connect() -> None:
    """Listen for new activity (from `Open311Config.ready`)."""
    from django.db.models.signals import post_save

    post_save.connect(_activity_saved, sender=Activity, dispatch_uid="open311-webhooks")
