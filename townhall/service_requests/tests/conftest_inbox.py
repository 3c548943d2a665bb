"""Helpers of the staff inbox tests (imported by the test_inbox_* modules).

Their fixtures (`sam_client`, `staff_client_for`, `pothole_request`...) are in the
conftest files.
"""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse


def inbox_url(name: str, sr: Any = None, **kwargs: Any) -> str:
    if sr is not None:
        kwargs["reference"] = sr.reference
    return reverse(f"inbox:{name}", kwargs=kwargs or None)


def page_text(response: Any) -> str:
    """The page's text without tags, with runs of whitespace made single spaces."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []
