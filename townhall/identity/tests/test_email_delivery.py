"""Account emails go out through the task queue, not inside the request."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

SIGN_UP = {
    "email": "queued@example.org",
    "display_name": "Queued",
    "preferred_language": "en",
    "password1": "lantern-orchard-ribbon-77",
    "password2": "lantern-orchard-ribbon-77",
}


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default"],
            "ENQUEUE_ON_COMMIT": False,
        }
    }


# The worker closes its database connection when it stops, as a real process would: the
# test commits for real instead of running inside a transaction that would be lost.
@pytest.mark.django_db(transaction=True)
def test_sign_up_queues_the_verification_email_and_the_worker_sends_it_once(
    client, mailoutbox, database_queue
):
    response = client.post("/accounts/signup/", SIGN_UP)
    assert response.status_code == 302
    assert mailoutbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "townhall.identity.tasks.deliver_email"

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["queued@example.org"]
    assert "/accounts/confirm-email/" in mailoutbox[0].body
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


@pytest.mark.django_db
def test_a_failed_sign_up_queues_no_email(client, mailoutbox, database_queue):
    response = client.post("/accounts/signup/", {**SIGN_UP, "password2": "something else"})
    assert response.status_code == 200
    assert not DBTaskResult.objects.exists()
    assert mailoutbox == []


@pytest.mark.django_db
def test_account_emails_name_this_site_not_example_com(client, mailoutbox, settings):
    client.post("/accounts/signup/", SIGN_UP)
    assert "example.com" not in mailoutbox[0].subject + mailoutbox[0].body
    assert settings.SITE_NAME in mailoutbox[0].subject
