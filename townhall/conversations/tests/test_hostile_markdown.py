"""Every payload of the hostile corpus (townhall/browser_tests/hostile_payloads.json:
script tags, event handlers, javascript:/data:/vbscript: links, encoded variants, CSS,
frames and forms, mutation-XSS patterns, unicode tricks, very long lines, NUL bytes)
rendered by `render_markdown` (and shown with links as text, as for new accounts) gives
HTML with only the allowed elements, no event handler or style attribute, and no link to
anything but http, https, mailto or the site itself. Checked with a real HTML parser,
not by searching the text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from townhall.conversations.rendering import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    links_as_text,
    render_markdown,
)

CORPUS = Path(__file__).resolve().parents[2] / "browser_tests" / "hostile_payloads.json"
PAYLOADS: list[str] = json.loads(CORPUS.read_text(encoding="utf-8"))
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background"}
SAFE_SCHEMES = {"http", "https", "mailto"}
# How a browser finds a URL's scheme (WHATWG URL): leading C0 controls and spaces are
# stripped, tabs and newlines removed anywhere, then a letter, letters/digits/+-. and ":".
# Anything else (%6Aavascript:, \u200bjavascript:) is a relative address, harmless.
SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)


class Inspector(HTMLParser):
    """Collects every element and attribute of a fragment, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"element <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name.startswith("on") or name == "style" or name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name in URL_ATTRIBUTES:
                address = re.sub(
                    r"[\t\n\r]", "", (value or "").lstrip("".join(map(chr, range(33))))
                )
                scheme = SCHEME.match(address)
                if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
                    self.problems.append(f"{name}={value!r} on <{tag}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def problems_in(html: str) -> list[str]:
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems


def test_the_corpus_is_big_and_distinct() -> None:
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_the_inspector_catches_what_it_is_meant_to_catch() -> None:
    """The checker itself can fail: each of these is reported."""
    assert problems_in("<script>alert(1)</script>")
    assert problems_in('<a href="javascript:alert(1)">x</a>')
    assert problems_in('<a href="java&#x09;script:alert(1)">x</a>')
    assert problems_in('<a href="https://x.example" onclick="alert(1)">x</a>')
    assert problems_in('<p style="color:red">x</p>')
    assert problems_in('<iframe src="https://x.example"></iframe>')
    assert not problems_in('<p><a href="https://x.example/" rel="nofollow">x</a></p>')


@pytest.mark.parametrize("payload", PAYLOADS, ids=[str(n) for n in range(len(PAYLOADS))])
def test_a_hostile_body_renders_to_harmless_html(payload: str) -> None:
    html = render_markdown(payload)
    assert problems_in(html) == [], (payload[:200], html[:500])
    plain = links_as_text(html)
    assert problems_in(plain) == [], (payload[:200], plain[:500])
