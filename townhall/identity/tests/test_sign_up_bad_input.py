"""Sign-up through the real allauth page refuses bad input and saves nothing half-way."""

from __future__ import annotations

from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from townhall.activity.models import Activity
from townhall.identity.models import User

pytestmark = pytest.mark.django_db


def assert_nothing_saved(email: str, mailoutbox: list[Any]) -> None:
    assert not User.objects.filter(email__iexact=email).exists()
    assert not EmailAddress.objects.filter(email__iexact=email).exists()
    assert not Activity.objects.filter(verb="account.created").exists()
    assert mailoutbox == []


def assert_refused(response: Any, field: str, message: str) -> None:
    """The page comes back with the error next to the field and in the summary."""
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="usa-alert usa-alert--error' in html
    assert f'id="id_{field}_error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html


def test_sign_up_page_asks_for_email_name_language_and_password(client: Any) -> None:
    html = client.get("/accounts/signup/").content.decode()
    for field in ["email", "display_name", "preferred_language", "password1", "password2"]:
        assert f'<label class="usa-label" for="id_{field}">' in html


@pytest.mark.parametrize("email", ["alex@example.org", "ALEX@Example.ORG"])
def test_sign_up_with_a_taken_email_creates_no_second_account(
    client: Any, citizen: Any, sign_up_data: Any, mailoutbox: list[Any], email: str
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(email=email))

    # The page does not reveal that the address is taken (no enumeration): it says the
    # same as for a new address, and the owner gets an email telling them instead.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.filter(email__iexact="alex@example.org").count() == 1
    assert User.objects.count() == 1
    assert [m.to for m in mailoutbox] == [["alex@example.org"]]
    assert "already" in mailoutbox[0].subject.lower()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass-1", "at least 15 characters"),
        ("1q2w3e4r5t6y7u8i9o0p", "too common"),
        ("1qaz2wsx3edc4rfv", "too common"),
        ("804938271650392817", "entirely numeric"),
        ("newcomer@example.org", "too similar"),
    ],
)
def test_sign_up_refuses_a_weak_password(
    client: Any, sign_up_data: Any, mailoutbox: list[Any], password: str, message: str
) -> None:
    response = client.post(
        "/accounts/signup/", sign_up_data(password1=password, password2=password)
    )

    assert_refused(response, "password1", message)
    assert_nothing_saved("newcomer@example.org", mailoutbox)


def test_sign_up_refuses_passwords_that_do_not_match(
    client: Any, sign_up_data: Any, mailoutbox: list[Any]
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(password2="lantern-orchard-ribbon-78"))

    assert_refused(response, "password2", "You must type the same password each time.")
    assert_nothing_saved("newcomer@example.org", mailoutbox)


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-email",
        "newcomer@",
        "@example.org",
        "new comer@example.org",
        "<script>alert(1)</script>@example.org",
        "newcomer@example.org' OR '1'='1",
        "x" * 250 + "@example.org",
    ],
)
def test_sign_up_refuses_a_malformed_email(
    client: Any, sign_up_data: Any, mailoutbox: list[Any], email: str
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(email=email))

    assert_refused(response, "email", "")
    assert User.objects.count() == 0
    assert mailoutbox == []
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("x" * 81, "at most 80 characters"),
        ("", "This field is required."),
        ("   \t  ", "This field is required."),
    ],
)
def test_sign_up_refuses_a_bad_display_name(
    client: Any,
    sign_up_data: Any,
    mailoutbox: list[Any],
    display_name: str,
    message: str,
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(display_name=display_name))

    assert_refused(response, "display_name", message)
    assert_nothing_saved("newcomer@example.org", mailoutbox)


def test_sign_up_refuses_an_unknown_language(
    client: Any, sign_up_data: Any, mailoutbox: list[Any]
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(preferred_language="xx"))

    assert_refused(response, "preferred_language", "Select a valid choice.")
    assert_nothing_saved("newcomer@example.org", mailoutbox)


def test_a_display_name_of_exactly_80_characters_is_accepted(
    client: Any, sign_up_data: Any
) -> None:
    response = client.post("/accounts/signup/", sign_up_data(display_name="y" * 80))

    assert response.status_code == 302
    assert User.objects.get(email="newcomer@example.org").display_name == "y" * 80


@pytest.mark.parametrize(
    "display_name",
    [
        "<script>alert('pwned')</script><b>Bo</b>",
        "Robert'); DROP TABLE identity_user;--",
        '"><img src=x onerror=alert(1)>',
    ],
)
def test_html_in_a_display_name_is_stored_as_given_and_shown_as_text(
    client: Any,
    sign_up_data: Any,
    mailoutbox: list[Any],
    confirmation_path: Any,
    display_name: str,
) -> None:
    client.post("/accounts/signup/", sign_up_data(display_name=display_name))
    client.post(confirmation_path(mailoutbox[0]))

    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == display_name
    client.force_login(user)
    html = client.get(reverse("identity:account")).content.decode()
    assert display_name not in html
    assert "&lt;" in html or "&#x27;" in html
    assert User.objects.count() == 1
