"""The account page shows your own details; the profile form changes only your own."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from townhall.activity.models import Activity
from townhall.identity.models import User

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("identity:account")
PROFILE = reverse("identity:profile-edit")


@pytest.mark.parametrize("path", [ACCOUNT, PROFILE])
def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client: Any, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={path}"


def test_account_page_shows_the_details_we_hold(client: Any, make_user: Any) -> None:
    user = make_user("dana@example.org", "Dana K", legal_name="Dana Kowalski")
    client.force_login(user)

    html = client.get(ACCOUNT).content.decode()

    assert "dana@example.org" in html
    assert "Dana K" in html
    assert "Dana Kowalski" in html
    assert "English" in html
    assert html.count("<h1") == 1


def test_account_page_explains_the_assurance_level_and_when_it_was_reached(
    client: Any, citizen: Any
) -> None:
    client.force_login(citizen)

    html = client.get(ACCOUNT).content.decode()

    assert "Email verified" in html
    reached = localtime(citizen.assurance_changed_at)
    assert f'<time datetime="{reached.isoformat()}">{date_format(reached)}</time>' in html
    assert "You confirmed that you receive email at alex@example.org" in html
    assert "Identity verified" in html  # how to go further


def test_account_page_tells_an_unverified_account_how_to_verify(
    client: Any, make_user: Any
) -> None:
    client.force_login(make_user("new@example.org", verified=False))

    html = client.get(ACCOUNT).content.decode()

    assert "Not verified" in html
    assert "follow the link in the email we sent you" in html
    assert f'href="{reverse("account_email")}"' in html


def test_account_page_links_to_password_email_two_factor_and_api_tokens(
    client: Any, citizen: Any
) -> None:
    client.force_login(citizen)

    html = client.get(ACCOUNT).content.decode()

    for name in ["account_change_password", "account_email", "mfa_index", "tokens:token-list"]:
        assert f'href="{reverse(name)}"' in html, name
    assert f'href="{PROFILE}"' in html


def test_account_page_always_shows_your_own_account(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    client.force_login(citizen)

    for query in [f"?user={citizen2.pk}", f"?pk={citizen2.pk}", f"?id={citizen2.pk}"]:
        html = client.get(ACCOUNT + query).content.decode()
        assert "alex@example.org" in html
        assert "bea@example.org" not in html
        assert "Bea Lopez" not in html


def test_profile_form_cannot_change_another_account(
    client: Any, citizen: Any, citizen2: Any
) -> None:
    client.force_login(citizen)

    client.post(
        PROFILE,
        {
            "display_name": "Alex P",
            "legal_name": "",
            "preferred_language": "en",
            "pk": citizen2.pk,
            "id": citizen2.pk,
            "user": citizen2.pk,
            "email": "taken-over@example.org",
            "assurance_level": "identity_verified",
        },
    )

    citizen.refresh_from_db()
    citizen2.refresh_from_db()
    assert citizen.display_name == "Alex P"
    assert citizen.email == "alex@example.org"
    assert citizen.assurance_level == "email_verified"
    assert citizen2.display_name == "Bea Lopez"
    assert citizen2.email == "bea@example.org"


def test_saving_the_profile_logs_it_and_switches_the_language(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    assert client.get(PROFILE).status_code == 200

    response = client.post(
        PROFILE,
        {
            "display_name": "  Alex   Park ",
            "legal_name": "Alexandra Park",
            "preferred_language": "es",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == ACCOUNT
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    citizen.refresh_from_db()
    assert citizen.display_name == "Alex Park"
    assert citizen.legal_name == "Alexandra Park"
    assert citizen.preferred_language == "es"
    assert (
        Activity.objects.filter(
            verb="account.profile_updated", actor=citizen, citizen=citizen
        ).count()
        == 1
    )
    assert '<html lang="es">' in client.get(ACCOUNT).content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"display_name": "", "legal_name": "", "preferred_language": "en"}, "display_name"),
        ({"display_name": "   ", "legal_name": "", "preferred_language": "en"}, "display_name"),
        ({"display_name": "x" * 81, "legal_name": "", "preferred_language": "en"}, "display_name"),
        (
            {"display_name": "Alex", "legal_name": "y" * 201, "preferred_language": "en"},
            "legal_name",
        ),
        (
            {"display_name": "Alex", "legal_name": "", "preferred_language": "de"},
            "preferred_language",
        ),
    ],
)
def test_profile_form_shows_errors_next_to_the_field_and_saves_nothing(
    client: Any, citizen: Any, data: dict[str, str], field: str
) -> None:
    client.force_login(citizen)

    response = client.post(PROFILE, data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "usa-alert--error" in html
    assert f'id="id_{field}_error"' in html
    assert f'href="#id_{field}"' in html
    assert "usa-form-group--error" in html
    citizen.refresh_from_db()
    assert citizen.display_name == "Alex Park"
    assert citizen.legal_name == ""
    assert not Activity.objects.filter(verb="account.profile_updated").exists()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_html_in_profile_fields_is_shown_as_text(client: Any, citizen: Any) -> None:
    client.force_login(citizen)
    name = "<script>alert(1)</script>"

    client.post(
        PROFILE,
        {"display_name": name, "legal_name": "<b>Bold</b> & co", "preferred_language": "en"},
    )

    assert User.objects.get(pk=citizen.pk).display_name == name
    html = client.get(ACCOUNT).content.decode()
    assert name not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
