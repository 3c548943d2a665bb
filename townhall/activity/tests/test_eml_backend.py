"""The demo's mail backend writes each message as its own RFC 5322 .eml file."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from django.core.mail import EmailMultiAlternatives, get_connection


def test_each_message_becomes_one_parseable_eml_file(tmp_path: Path) -> None:
    connection = get_connection("townhall.activity.mail.EmlBackend", file_path=tmp_path / "mail")
    messages = []
    for number in range(3):
        message = EmailMultiAlternatives(
            subject=f"Señal número {number}",
            body="Plain text ✓",
            from_email="townhall@springfield.example",
            to=["alex@example.org"],
            headers={"List-Unsubscribe": "<https://example.org/u/1/>"},
            connection=connection,
        )
        message.attach_alternative("<p>HTML ✓</p>", "text/html")
        messages.append(message)
    assert connection.send_messages(messages) == 3
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 3
    assert len({file.name for file in files}) == 3
    subjects = set()
    for file in files:
        parsed = email.message_from_bytes(file.read_bytes(), policy=policy.default)
        assert parsed["To"] == "alex@example.org"
        assert parsed["List-Unsubscribe"] == "<https://example.org/u/1/>"
        assert parsed["Message-ID"]
        assert parsed.get_body(preferencelist=("plain",)).get_content().strip() == "Plain text ✓"
        assert "HTML ✓" in parsed.get_body(preferencelist=("html",)).get_content()
        subjects.add(str(parsed["Subject"]))
    assert subjects == {"Señal número 0", "Señal número 1", "Señal número 2"}


def test_a_message_without_recipients_writes_nothing(tmp_path: Path) -> None:
    connection = get_connection("townhall.activity.mail.EmlBackend", file_path=tmp_path)
    message = EmailMultiAlternatives(subject="Nobody", body="x", to=[], connection=connection)
    assert connection.send_messages([message]) == 0
    assert list(tmp_path.glob("*.eml")) == []


def test_the_demo_setting_chooses_this_backend_without_email_url() -> None:
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "EMAIL_URL"}
    env.update({"DEBUG": "true", "DJANGO_SETTINGS_MODULE": "townhall.settings"})
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND); print(settings.EMAIL_FILE_PATH)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.split()
    assert out[0] == "townhall.activity.mail.EmlBackend"
    assert out[1].endswith("var/mail")
    env["EMAIL_URL"] = "submission://user:pass@mail.example.org:587"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    ).stdout.split()
    assert out[0] == "django.core.mail.backends.smtp.EmailBackend"
