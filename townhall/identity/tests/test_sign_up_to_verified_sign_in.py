"""From sign-up to a verified account that signs in with its password."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.identity.models import AssuranceLevel, User

pytestmark = pytest.mark.django_db


def test_sign_up_confirm_email_then_sign_in_with_the_password(
    client: Any,
    sign_up_data: Any,
    sign_in: Any,
    confirmation_path: Any,
    mailoutbox: list[Any],
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(display_name="Nia Brooks"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="newcomer@example.org")
    assert user.assurance_level == AssuranceLevel.NONE
    assert Activity.objects.filter(verb="account.created", citizen=user).exists()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["newcomer@example.org"]
    link = confirmation_path(mailoutbox[0])

    # Opening the link only shows a confirm button (mail scanners follow links).
    page = client.get(link)
    assert page.status_code == 200
    assert "newcomer@example.org" in page.content.decode()
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.NONE

    confirmed = client.post(link)
    assert confirmed.status_code == 302
    user.refresh_from_db()
    assert user.assurance_level == AssuranceLevel.EMAIL_VERIFIED
    assert user.assurance_changed_at is not None
    assert (
        Activity.objects.filter(verb="account.email_verified", citizen=user, actor=user).count()
        == 1
    )

    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session

    response = sign_in(client, "newcomer@example.org", "lantern-orchard-ribbon-77")
    assert response.status_code == 302
    assert response["Location"] == reverse("identity:account")
    assert client.session["_auth_user_id"] == str(user.pk)
    page = client.get(reverse("identity:account")).content.decode()
    assert "Nia Brooks" in page
    assert "Email verified" in page


def test_confirming_twice_records_the_verification_once(
    client: Any, sign_up_data: Any, confirmation_path: Any, mailoutbox: list[Any]
) -> None:
    client.post("/accounts/signup/", sign_up_data())
    link = confirmation_path(mailoutbox[0])
    client.post(link)
    client.post(link)

    assert Activity.objects.filter(verb="account.email_verified").count() == 1


def test_an_unverified_account_cannot_sign_in(
    client: Any, make_user: Any, sign_in: Any, mailoutbox: list[Any]
) -> None:
    make_user("unverified@example.org", verified=False)

    response = sign_in(client, "unverified@example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("identity:account")).status_code == 302
    # A fresh link is on its way.
    assert [m.to for m in mailoutbox] == [["unverified@example.org"]]


def test_a_broken_confirmation_link_says_so(client: Any) -> None:
    response = client.get("/accounts/confirm-email/not-a-real-key/")

    html = response.content.decode()
    assert "expired or is invalid" in html
    assert html.count("<h1") == 1


def test_signing_in_switches_the_site_to_the_preferred_language(
    client: Any, make_user: Any, sign_in: Any
) -> None:
    make_user("lucia@example.org", "Lucía", preferred_language="es")

    response = sign_in(client, "lucia@example.org")

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get(reverse("identity:account")).content.decode()
    assert '<html lang="es">' in page


def test_signing_in_in_english_keeps_english(client: Any, citizen: Any, sign_in: Any) -> None:
    response = sign_in(client, citizen.email)

    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("identity:account")).content.decode()
    assert '<html lang="en">' in page
