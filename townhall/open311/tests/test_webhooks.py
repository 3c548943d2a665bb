"""Webhooks: a public request's events reach a subscribed application as signed JSON
POSTs to a real HTTP server on this machine; private requests, revoked applications and
private addresses (unless an administrator allows them) get nothing; failures are retried
with backoff and logged; nothing is delivered twice."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone


class Receiver:
    """A local HTTP server recording every POST it gets, answering `status`."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.received.append({"headers": dict(self.headers), "body": body})
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def subscribe(site_admin: Any, application: Any) -> Any:
    from townhall.open311 import actions

    def make(url: str, *, allow_private: bool = True, events: Any = None) -> Any:
        return actions.subscribe_webhook(
            by=site_admin,
            application=application,
            target_url=url,
            events=events
            or ["request.filed", "request.status_changed", "commitment.kept", "commitment.broken"],
            allow_private_address=allow_private,
        )

    return make


@pytest.fixture
def file_public(file_pothole: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def file(**extra: Any) -> Any:
        with django_capture_on_commit_callbacks(execute=True):
            return file_pothole(is_public=extra.pop("is_public", True), **extra)

    return file


def _deliveries() -> Any:
    from townhall.open311.models import WebhookDelivery

    return WebhookDelivery.objects.order_by("pk")


def test_a_public_request_filed_is_posted_signed_to_the_subscribed_application(
    receiver: Receiver, subscribe: Any, file_public: Any
) -> None:
    subscription, secret = subscribe(receiver.url)

    request = file_public()

    (post,) = receiver.received
    headers, body = post["headers"], post["body"]
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Townhall-Signature"] == f"sha256={expected}"
    assert headers["X-Townhall-Event"] == "request.filed"
    assert headers["User-Agent"] == "Townhall-Webhooks"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(body)
    assert payload["event"] == "request.filed"
    assert payload["service_request"]["service_request_id"] == request.reference
    assert payload["service_request"]["status"] == "open"
    (delivery,) = _deliveries()
    assert headers["X-Townhall-Delivery"] == str(delivery.pk)
    assert delivery.subscription == subscription
    assert delivery.delivered_at is not None
    assert delivery.last_status_code == 200
    assert delivery.attempts == 1


def test_the_payload_carries_no_personal_data_of_the_requester(
    receiver: Receiver, subscribe: Any, file_public: Any, citizen: Any
) -> None:
    subscribe(receiver.url)

    file_public()

    body = receiver.received[0]["body"].decode()
    assert citizen.email not in body
    assert citizen.display_name not in body
    assert "requester" not in body


def test_a_signature_made_with_another_secret_does_not_verify(
    receiver: Receiver, subscribe: Any, file_public: Any
) -> None:
    subscribe(receiver.url)
    file_public()
    post = receiver.received[0]
    forged = hmac.new(b"not-the-secret", post["body"], hashlib.sha256).hexdigest()
    assert post["headers"]["X-Townhall-Signature"] != f"sha256={forged}"


def test_a_private_requests_events_are_never_delivered(
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    staff_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.service_requests import actions

    subscribe(receiver.url)
    request = file_public(is_public=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_to_request(by=staff_member.user, request=request, body="On it.")
        actions.close_request(by=staff_member.user, request=request, note="Filled in.")

    assert receiver.received == []
    assert not _deliveries().exists()


def test_status_changes_and_commitments_kept_are_delivered(
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    staff_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.service_requests import actions

    subscribe(receiver.url)
    request = file_public()
    with django_capture_on_commit_callbacks(execute=True):
        actions.reply_to_request(by=staff_member.user, request=request, body="On it.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_request(by=staff_member.user, request=request, note="Filled in.")

    events = [post["headers"]["X-Townhall-Event"] for post in receiver.received]
    # The first reply keeps the acknowledge commitment and acknowledges the request (a
    # status change); closing keeps the respond commitment and closes it.
    assert events == [
        "request.filed",
        "commitment.kept",
        "request.status_changed",
        "commitment.kept",
        "request.status_changed",
    ]
    bodies = [json.loads(post["body"]) for post in receiver.received]
    kept = [bodies[1]["commitment"], bodies[3]["commitment"]]
    assert [commitment["kind"] for commitment in kept] == ["acknowledge", "respond"]
    assert {commitment["state"] for commitment in kept} == {"kept"}
    assert bodies[2]["service_request"]["status"] == "open"
    assert bodies[4]["service_request"]["status"] == "closed"


def test_a_broken_commitment_is_delivered(
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.commitments.actions import mark_broken_commitments

    subscribe(receiver.url, events=["commitment.broken"])
    request = file_public()
    with django_capture_on_commit_callbacks(execute=True):
        broken = mark_broken_commitments(now=timezone.now() + dt.timedelta(days=60))

    assert broken == 2  # acknowledge and respond
    assert [post["headers"]["X-Townhall-Event"] for post in receiver.received] == [
        "commitment.broken",
        "commitment.broken",
    ]
    payload = json.loads(receiver.received[0]["body"])
    assert payload["service_request"]["service_request_id"] == request.reference
    assert payload["commitment"]["state"] == "broken"


@pytest.mark.parametrize("checked_first", [False, True])
def test_a_commitment_done_late_is_one_broken_event(
    checked_first: bool,
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    staff_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Done after its due time: broken once, whether or not the scheduled check broke it
    before the work was reported done."""
    from townhall.commitments.actions import keep_commitment, mark_broken_commitments
    from townhall.commitments.models import Commitment, CommitmentKind

    subscribe(receiver.url, events=["commitment.broken"])
    request = file_public()
    respond = Commitment.objects.get(kind=CommitmentKind.RESPOND, subject_id=str(request.pk))
    late = respond.due_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        if checked_first:
            mark_broken_commitments(now=late)
    with django_capture_on_commit_callbacks(execute=True):
        keep_commitment(by=staff_member.user, commitment=respond, at=late)

    broken = [
        json.loads(post["body"])["commitment"]
        for post in receiver.received
        if json.loads(post["body"])["commitment"]["kind"] == "respond"
    ]
    assert len(broken) == 1
    assert broken[0]["state"] == "broken"


def test_only_the_events_subscribed_to_are_delivered(
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    staff_member: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.service_requests import actions

    subscribe(receiver.url, events=["request.status_changed"])
    request = file_public()
    with django_capture_on_commit_callbacks(execute=True):
        actions.close_request(by=staff_member.user, request=request, note="Filled in.")

    assert [post["headers"]["X-Townhall-Event"] for post in receiver.received] == [
        "request.status_changed"
    ]


def test_a_failing_receiver_is_retried_with_backoff_and_the_log_shows_the_status(
    receiver: Receiver, subscribe: Any, file_public: Any
) -> None:
    from townhall.open311 import tasks

    receiver.status = 500
    subscribe(receiver.url)
    before = timezone.now()

    file_public()

    (delivery,) = _deliveries()
    assert len(receiver.received) == 1
    assert delivery.delivered_at is None
    assert delivery.last_status_code == 500
    assert "500" in delivery.last_error
    assert delivery.attempts == 1
    assert before + dt.timedelta(seconds=59) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + dt.timedelta(minutes=1)

    # Not due yet: running the sweep sends nothing.
    assert tasks.deliver_due_webhooks.call() == 0
    assert len(receiver.received) == 1

    # Due: the second attempt fails too and waits 5 minutes.
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["next_attempt_at"])
    tasks.deliver_due_webhooks.call()
    delivery.refresh_from_db()
    assert len(receiver.received) == 2
    assert delivery.attempts == 2
    assert delivery.next_attempt_at >= timezone.now() + dt.timedelta(minutes=4)

    # The receiver recovers: the next attempt delivers.
    receiver.status = 204
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["next_attempt_at"])
    assert tasks.deliver_due_webhooks.call() == 1
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert delivery.last_status_code == 204
    assert delivery.last_error == ""
    assert delivery.next_attempt_at is None


def test_a_delivery_is_given_up_after_six_attempts(
    receiver: Receiver, subscribe: Any, file_public: Any
) -> None:
    from townhall.open311 import tasks

    receiver.status = 503
    subscribe(receiver.url)
    file_public()
    (delivery,) = _deliveries()
    for _attempt in range(8):
        if delivery.next_attempt_at is not None:
            delivery.next_attempt_at = timezone.now()
            delivery.save(update_fields=["next_attempt_at"])
        tasks.deliver_due_webhooks.call()
        delivery.refresh_from_db()

    assert len(receiver.received) == 6
    assert delivery.attempts == 6
    assert delivery.next_attempt_at is None
    assert delivery.delivered_at is None


def test_retry_now_gives_a_given_up_delivery_one_more_attempt(
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    site_admin: Any,
    citizen: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from townhall.open311 import actions

    receiver.status = 500
    subscribe(receiver.url)
    file_public()
    (delivery,) = _deliveries()
    delivery.attempts, delivery.next_attempt_at = 6, None
    delivery.save(update_fields=["attempts", "next_attempt_at"])
    receiver.status = 200

    with pytest.raises(PermissionDenied):
        actions.retry_deliveries(by=citizen, deliveries=[delivery])
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.retry_deliveries(by=site_admin, deliveries=[delivery]) == 1

    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert len(receiver.received) == 2


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hook",
        "http://10.0.0.1:{port}/hook",
        "http://[::1]:{port}/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://internal.example:{port}/hook",
        "http://localhost:{port}/hook",
    ],
)
def test_a_private_address_is_refused_at_subscription_without_the_admin_flag(
    url: str, receiver: Receiver, subscribe: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    _resolve_internal_to_loopback(monkeypatch)
    port = receiver.server.server_address[1]

    with pytest.raises(ValidationError) as refused:
        subscribe(url.format(port=port), allow_private=False)

    assert "target_url" in refused.value.message_dict
    assert receiver.received == []


def _resolve_internal_to_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "internal.example":
            return real("127.0.0.1", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.1", "::1", "169.254.169.254", "internal.example"]
)
def test_a_delivery_to_a_private_address_is_refused_and_logged_never_connected(
    address: str,
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The address was allowed when subscribed, then the flag was taken away (or DNS
    changed): each attempt checks again."""
    from townhall.open311.models import WebhookSubscription

    port = receiver.server.server_address[1]
    host = f"[{address}]" if ":" in address else address
    subscription, _secret = subscribe(f"http://{host}:{port}/hook")
    WebhookSubscription.objects.filter(pk=subscription.pk).update(allow_private_address=False)
    _resolve_internal_to_loopback(monkeypatch)
    connections: list[Any] = []
    real_connect = socket.socket.connect

    def connect(sock: Any, target: Any) -> Any:
        connections.append(target)
        return real_connect(sock, target)

    monkeypatch.setattr(socket.socket, "connect", connect)

    file_public()

    (delivery,) = _deliveries()
    assert receiver.received == []
    assert connections == []
    assert delivery.delivered_at is None
    assert delivery.last_status_code is None
    assert delivery.last_error.startswith("Refused:")
    assert delivery.next_attempt_at is not None  # DNS may change: tried again later


def test_an_address_outside_http_and_https_is_refused(subscribe: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        subscribe("ftp://example.com/hook", allow_private=True)
    assert "target_url" in refused.value.message_dict


def test_the_same_activity_is_delivered_once_even_if_the_tasks_run_twice(
    receiver: Receiver, subscribe: Any, file_public: Any
) -> None:
    from townhall.activity.models import Activity
    from townhall.open311 import tasks

    subscribe(receiver.url)
    file_public()
    filed = Activity.objects.get(verb="request.filed")
    (delivery,) = _deliveries()

    tasks.queue_webhooks.call(activity_id=filed.pk)
    tasks.deliver_webhook.call(delivery_id=delivery.pk)
    tasks.deliver_due_webhooks.call()

    assert len(receiver.received) == 1
    assert _deliveries().count() == 1


def test_a_revoked_application_gets_no_deliveries(
    receiver: Receiver, subscribe: Any, file_public: Any, application: Any, site_admin: Any
) -> None:
    from townhall.open311 import actions

    subscribe(receiver.url)
    actions.revoke_application(by=site_admin, application=application)

    file_public()

    assert receiver.received == []
    assert not _deliveries().exists()


def test_a_delivery_queued_before_the_key_was_revoked_is_not_sent(
    receiver: Receiver, subscribe: Any, file_public: Any, application: Any, site_admin: Any
) -> None:
    from townhall.open311 import actions, tasks

    receiver.status = 500
    subscribe(receiver.url)
    file_public()
    actions.revoke_application(by=site_admin, application=application)
    (delivery,) = _deliveries()
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["next_attempt_at"])

    tasks.deliver_due_webhooks.call()

    delivery.refresh_from_db()
    assert len(receiver.received) == 1  # only the attempt before the revocation
    assert delivery.next_attempt_at is None
    assert delivery.delivered_at is None


def test_a_switched_off_subscription_gets_no_deliveries(
    receiver: Receiver, subscribe: Any, file_public: Any, site_admin: Any
) -> None:
    from townhall.open311 import actions

    subscription, _secret = subscribe(receiver.url)
    actions.change_webhook(
        by=site_admin,
        subscription=subscription,
        target_url=receiver.url,
        events=subscription.events,
        is_active=False,
        allow_private_address=True,
    )

    file_public()

    assert receiver.received == []


@pytest.mark.parametrize("who", ["citizen", "staff_member", "anonymous"])
def test_only_a_site_administrator_can_subscribe(
    who: str, request: pytest.FixtureRequest, application: Any
) -> None:
    from django.contrib.auth.models import AnonymousUser

    from townhall.open311 import actions

    by = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    by = getattr(by, "user", by)
    with pytest.raises(PermissionDenied):
        actions.subscribe_webhook(
            by=by,
            application=application,
            target_url="https://example.com/hook",
            events=["request.filed"],
        )


def test_subscribing_needs_at_least_one_known_event(site_admin: Any, application: Any) -> None:
    from townhall.open311 import actions

    with pytest.raises(ValidationError) as refused:
        actions.subscribe_webhook(
            by=site_admin,
            application=application,
            target_url="http://127.0.0.1/hook",
            events=["request.deleted"],
            allow_private_address=True,
        )
    assert "events" in refused.value.message_dict


def test_the_admin_adds_a_subscription_shows_the_secret_once_and_lists_deliveries(
    client: Any,
    site_admin: Any,
    application: Any,
    receiver: Receiver,
    file_public: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from townhall.open311.models import WebhookSubscription

    client.force_login(site_admin)
    refused = client.post(
        "/admin/open311/webhooksubscription/add/",
        {"application": application.pk, "target_url": receiver.url, "events": ["request.filed"]},
    )
    assert refused.status_code == 200
    assert "target_url" in refused.context["adminform"].form.errors
    assert not WebhookSubscription.objects.exists()

    added = client.post(
        "/admin/open311/webhooksubscription/add/",
        {
            "application": application.pk,
            "target_url": receiver.url,
            "events": ["request.filed"],
            "is_active": "on",
            "allow_private_address": "on",
        },
        follow=True,
    )
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in added.content.decode()
    page = client.get(f"/admin/open311/webhooksubscription/{subscription.pk}/change/")
    assert subscription.secret not in page.content.decode()

    for _number in range(3):
        file_public()
    with django_assert_max_num_queries(12):
        log = client.get("/admin/open311/webhookdelivery/")
    assert log.status_code == 200
    assert log.content.decode().count("request.filed") >= 3


def test_a_backend_that_can_defer_gets_the_next_attempt_queued_for_when_it_is_due(
    receiver: Receiver, subscribe: Any, file_public: Any, settings: Any
) -> None:
    from django_tasks import default_task_backend

    from townhall.open311 import tasks

    receiver.status = 500
    subscribe(receiver.url)
    file_public()
    (delivery,) = _deliveries()
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["next_attempt_at"])
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    tasks.deliver_webhook.call(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    (queued,) = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.task.func is tasks.deliver_webhook.func
    assert queued.kwargs == {"delivery_id": delivery.pk}
    assert queued.task.run_after == delivery.next_attempt_at


def test_the_admin_changes_a_subscription_through_the_same_checks(
    client: Any, site_admin: Any, application: Any, subscribe: Any, receiver: Receiver
) -> None:
    subscription, secret = subscribe(receiver.url)
    client.force_login(site_admin)
    url = f"/admin/open311/webhooksubscription/{subscription.pk}/change/"
    form = {"target_url": receiver.url, "events": ["request.filed"], "is_active": "on"}

    refused = client.post(url, form)  # the private-address flag taken off
    assert "target_url" in refused.context["adminform"].form.errors
    changed = client.post(url, {**form, "allow_private_address": "on"})
    assert changed.status_code == 302

    subscription.refresh_from_db()
    assert subscription.events == ["request.filed"]
    assert subscription.secret == secret
    listed = client.get(f"/admin/open311/open311application/{application.pk}/change/")
    assert receiver.url in listed.content.decode()


def test_dns_answering_a_private_address_after_the_check_sends_nothing(
    receiver: Receiver, subscribe: Any, file_public: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DNS rebinding: the check sees a public address, the connection gets loopback."""
    from townhall.open311 import webhooks
    from townhall.open311.models import WebhookSubscription

    port = receiver.server.server_address[1]
    subscription, _secret = subscribe(f"http://rebind.example:{port}/hook")
    WebhookSubscription.objects.filter(pk=subscription.pk).update(allow_private_address=False)
    real_addresses, real_getaddrinfo = webhooks._addresses, socket.getaddrinfo

    def checked(host: str, port: int) -> set[str]:
        return {"93.184.216.34"} if host == "rebind.example" else real_addresses(host, port)

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        return real_getaddrinfo("127.0.0.1" if host == "rebind.example" else host, *args, **kwargs)

    monkeypatch.setattr(webhooks, "_addresses", checked)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    file_public()

    (delivery,) = _deliveries()
    assert receiver.received == []
    assert delivery.delivered_at is None
    assert delivery.last_error.startswith("Refused:")


def test_the_delivery_log_shows_a_delivery_and_retries_it_now_from_the_admin(
    client: Any,
    site_admin: Any,
    receiver: Receiver,
    subscribe: Any,
    file_public: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    receiver.status = 500
    subscribe(receiver.url)
    file_public()
    (delivery,) = _deliveries()
    client.force_login(site_admin)

    page = client.get(f"/admin/open311/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200
    assert "The receiver answered HTTP 500." in page.content.decode()

    receiver.status = 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/open311/webhookdelivery/",
            {"action": "retry_now", "_selected_action": [delivery.pk]},
        )

    delivery.refresh_from_db()
    assert delivery.delivered_at is not None
    assert len(receiver.received) == 2
