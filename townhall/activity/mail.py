"""An email backend for the demo: each message becomes one RFC 5322 `.eml` file.

Django's file backend appends every message of a connection to one `.log` file; mail
programs open `.eml` files directly. Names are unique (time plus a random part) and
files are never overwritten. The folder is `EMAIL_FILE_PATH` (`var/mail/` by default);
settings choose this backend when `DEBUG` is on and `EMAIL_URL` is not set.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlBackend(BaseEmailBackend):
    def __init__(
        self, *, file_path: str | Path | None = None, fail_silently: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.directory = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:12]}.eml"
                # Django's MIME classes take linesep (the stubs know only the stdlib).
                data = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
                with open(self.directory / name, "xb") as file:  # "x": never overwrite
                    file.write(data)
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            sent += 1
        return sent
