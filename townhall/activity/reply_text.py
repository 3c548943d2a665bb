"""What a person wrote in an email reply, without the quoted history and the signature.

Pure text functions, no Django. Mail programs quote the message they answer in a few
well-known shapes; we cut at the first of them:

- "On Mon, 23 Nov 2026 at 10:00, Townhall <...> wrote:" (Gmail, Apple Mail, Thunderbird;
  the line may wrap), and the Spanish "El lun, 23 nov 2026 ... escribió:"
- "-----Original Message-----" / "-----Mensaje original-----"
- an Outlook header block: "From: ..." followed within a few lines by "Sent: ..." or
  "Date: ..." (and the Spanish "De:" / "Enviado:" / "Fecha:"), often after a line of "_"
- lines starting with ">" (dropped wherever they are)

and at the signature: the "-- " delimiter line, or a "Sent from my iPhone" /
"Enviado desde mi ..." / "Get Outlook for ..." line. A maintained library
(`mail-parser-reply`) was tried first: it kept "-- " signatures and Spanish quote
headers, so this small, tested function does the job instead.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_QUOTE_HEADERS = (
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*El\b.{0,300}\bescribi[óo]:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*Le\b.{0,300}\ba écrit\s*:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*-{2,}\s*(Original Message|Mensaje original)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*-{2,}\s*(Forwarded message|Mensaje reenviado)\s*-{2,}\s*$", re.IGNORECASE),
)
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De)\s*:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_NEXT = re.compile(
    r"^\s*\*?(Sent|Date|To|Subject|Enviado|Fecha|Para|Asunto)\s*:", re.IGNORECASE
)
_UNDERSCORES = re.compile(r"^\s*_{5,}\s*$")
_SIGNATURE_LINES = (
    re.compile(r"^-- ?$"),
    re.compile(r"^\s*Sent from my \S", re.IGNORECASE),
    re.compile(r"^\s*Sent from (Mail|Outlook|Yahoo)\b", re.IGNORECASE),
    re.compile(r"^\s*Enviado desde mi \S", re.IGNORECASE),
    re.compile(r"^\s*Get Outlook for \S", re.IGNORECASE),
    re.compile(r"^\s*Obtener Outlook para \S", re.IGNORECASE),
)


def _is_quote_header(lines: list[str], index: int) -> bool:
    line = lines[index]
    if not line.strip():
        return False
    # "On ... wrote:" may wrap over two or three lines.
    for size in (1, 2, 3):
        joined = " ".join(part.strip() for part in lines[index : index + size])
        if any(pattern.match(joined) for pattern in _QUOTE_HEADERS):
            return True
    if _OUTLOOK_FROM.match(line):
        following = [text for text in lines[index + 1 : index + 5] if text.strip()]
        return any(_OUTLOOK_NEXT.match(text) for text in following)
    return False


def reply_text(text: str) -> str:
    """The new part of a plain-text reply (see the module). May be empty."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _is_quote_header(lines, index):
            break
        if (
            _UNDERSCORES.match(line)
            and index + 1 < len(lines)
            and _is_quote_header(lines, index + 1)
        ):
            break
        if any(pattern.match(line) for pattern in _SIGNATURE_LINES):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


class _TextOfHtml(HTMLParser):
    """Text of an HTML email: blocks on their own lines, no scripts, styles or quoted
    history (<blockquote>, Gmail's "gmail_quote")."""

    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "hr", "pre"}
    )
    _SKIPPED = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(value or "" for name, value in attrs if name in ("class", "id"))
        if self.skipping:
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self._SKIPPED or "gmail_quote" in classes or "divRplyFwdMsg" in classes:
            if tag not in ("br", "hr", "img", "meta", "link", "input"):
                self.skipping.append(tag)
            return
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML email part, for mail programs that send no text part."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
