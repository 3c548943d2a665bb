"""An authenticator app's code, as tests type it in.

allauth checks a code against the current 30-second window only (no tolerance), so a
code computed in a window's last moments can be stale by the time the server checks it.
`fresh_code` waits for the next window when fewer than a few seconds are left.
"""

from __future__ import annotations

import time

from allauth.mfa.totp.internal.auth import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

# Seconds a test needs between computing a code and the server checking it (a browser
# test types it and submits the form).
MARGIN = 8


def fresh_code(secret: str) -> str:
    period = mfa_settings.TOTP_PERIOD
    left = period - time.time() % period
    if left < MARGIN:
        time.sleep(left + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))
