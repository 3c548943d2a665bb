"""Start and stop the test OpenID provider (`provider.mjs`, the npm package oidc-provider)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
SCRIPT = HERE / "provider.mjs"


class ProviderUnavailable(RuntimeError):
    """Node or the oidc-provider package is missing, or the provider did not start."""


@dataclass
class TestProvider:
    process: subprocess.Popen[str]
    issuer: str
    output: list[str] = field(default_factory=list)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_provider(
    *, clients: list[dict[str, Any]], accounts: dict[str, Any], timeout: float = 15
) -> TestProvider:
    node = shutil.which("node")
    if node is None:
        raise ProviderUnavailable("node is not installed (the test OpenID provider needs it)")
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        raise ProviderUnavailable("node_modules/oidc-provider is missing: run `npm ci`")
    env = {
        **os.environ,
        "OIDC_TEST_CONFIG": json.dumps({"port": 0, "clients": clients, "accounts": accounts}),
    }
    process = subprocess.Popen(
        [node, str(SCRIPT)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line.startswith("READY "):
        process.kill()
        raise ProviderUnavailable(f"the test OpenID provider did not start: {line!r}")
    provider = TestProvider(process=process, issuer=line.removeprefix("READY "))
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(provider.discovery_url, timeout=2).ok:
                return provider
        except requests.RequestException:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            provider.stop()
            raise ProviderUnavailable("the test OpenID provider's discovery document never came")
        time.sleep(0.1)
