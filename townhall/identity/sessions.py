"""The clocks of a signed-in session: when its account signed in and when it was last
used (seconds since 1970). Every sign-in starts them; the staff session limits in
`agencies/middleware.py` read them (decision 0016)."""

from __future__ import annotations

import time
from typing import Any

SIGNED_IN_AT = "townhall_signed_in_at"
LAST_SEEN_AT = "townhall_last_seen_at"
# The form a person was filling in when they were sent to raise their assurance level: the
# account page offers the way back (and sends identity providers' sign-ins back there).
RETURN_TO = "townhall_return_to"


def note_sign_in(request: Any) -> None:
    """Start the session's clocks (called when anyone signs in)."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN_AT] = now


def seconds(value: object) -> int | None:
    """A stored clock reading, or None if the session holds none (or nonsense)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def remember_return_to(request: Any, path: str) -> None:
    """Remember a page of this site to come back to after reaching a level."""
    if path.startswith("/") and not path.startswith("//"):
        request.session[RETURN_TO] = path[:500]


def return_to(request: Any) -> str:
    """The page to come back to, if any (only paths on this site)."""
    path = request.session.get(RETURN_TO, "")
    if isinstance(path, str) and path.startswith("/") and not path.startswith("//"):
        return path
    return ""


def forget_return_to(request: Any, path: str) -> None:
    """The person is back on that page: the account page stops offering the way back."""
    if request.session.get(RETURN_TO) == path:
        del request.session[RETURN_TO]
