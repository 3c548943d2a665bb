"""Message bodies: Markdown in, safe HTML out.

People write messages in CommonMark. Raw HTML is off (written `<b>` shows as text), and
the HTML markdown-it-py makes is cleaned again with nh3, keeping only plain formatting,
lists, quotes, code and links. Links open nothing by themselves: they get
`rel="nofollow ugc noopener"` and only http, https and mailto addresses are kept.

Decisions a reader may question:
- **Images are shown as links**, never loaded: `![a pothole](https://…/x.jpg)` becomes a
  link reading "a pothole". A remote image would tell its host who reads the thread and
  when. Photos belong in attachments, which are checked and stripped of their metadata.
- **Headings become bold paragraphs.** A message sits inside a page with its own heading
  outline; a `# Title` in a message must not break it (screen readers, axe).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _heading_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "<p><strong>"


def _heading_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</strong></p>\n"


def _image_as_link(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escape(src)}">{escape(alt)}</a>'


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.add_render_rule("heading_open", _heading_open)
    parser.add_render_rule("heading_close", _heading_close)
    parser.add_render_rule("image", _image_as_link)
    return parser


_PARSER = _parser()


def render_markdown(text: str) -> SafeString:
    """The HTML for a message body, safe to put in a page as it is.

    markdown-it-py already refuses `javascript:`, `vbscript:`, `file:` and `data:` links;
    nh3 then keeps only the tags above, drops everything else (a `<script>` and its
    content included) and adds the link `rel`.
    """
    html = _PARSER.render(text or "")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above


_LINK = re.compile(r'<a\b[^>]*?\bhref="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_ANY_TAG = re.compile(r"<[^>]+>")


def links_as_text(html: str) -> SafeString:
    """A rendered body with its outside links shown as plain text: "the text (address)".

    Used for display while the author's account is new (their first message has not
    stood for a day; see `moderation.authors_with_plain_links`), so a fresh account
    cannot spread clickable links. Links inside the site (a mention's profile) stay.
    The input is `render_markdown`'s output; the result is cleaned again.
    """

    def as_text(match: re.Match[str]) -> str:
        address, text = match.group(1), match.group(2)
        if address.startswith("/") and not address.startswith("//"):
            return match.group(0)
        plain = _ANY_TAG.sub("", text)
        if not address or address == plain:  # both are escaped HTML here
            return plain
        return f"{plain} ({address})"

    cleaned = nh3.clean(
        _LINK.sub(as_text, html or ""),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
