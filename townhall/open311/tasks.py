"""Background work for webhooks. Each task is idempotent: an activity becomes at most one
delivery per subscription, and a delivered (or not yet due) delivery is not sent again."""

from __future__ import annotations

from django_tasks import task

from . import webhooks


@task()
def queue_webhooks(*, activity_id: int) -> int:
    """Make the deliveries of one activity's event and attempt each."""
    made = webhooks.create_deliveries(activity_id)
    for delivery_id in made:
        deliver_webhook.enqueue(delivery_id=delivery_id)
    return len(made)


@task()
def deliver_webhook(*, delivery_id: int) -> bool:
    """Attempt one delivery; after a failure, enqueue the next attempt for when it is due
    (where the task backend can defer; otherwise `townhall deliver_webhooks` picks it up).
    True when delivered."""
    delivery = webhooks.attempt(delivery_id)
    if delivery is None:
        return False
    waiting = delivery.delivered_at is None and delivery.next_attempt_at is not None
    if waiting and deliver_webhook.get_backend().supports_defer:
        later = deliver_webhook.using(run_after=delivery.next_attempt_at)
        later.enqueue(delivery_id=delivery_id)
    return delivery.delivered_at is not None


@task()
def deliver_due_webhooks() -> int:
    """Attempt every delivery that is due (also `townhall deliver_webhooks`)."""
    delivered = 0
    for delivery_id in webhooks.due_deliveries():
        attempted = webhooks.attempt(delivery_id)
        delivered += int(attempted is not None and attempted.delivered_at is not None)
    return delivered
