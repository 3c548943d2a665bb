"""Message bodies are Markdown turned into safe HTML: no scripts, no dangerous links, no
remote images."""

from __future__ import annotations

import pytest

from townhall.conversations.rendering import render_markdown


def test_plain_formatting_lists_quotes_and_code_are_kept() -> None:
    html = render_markdown(
        "Some **bold** and *slanted* text.\n\n- one\n- two\n\n3. three\n4. four\n\n"
        "> quoted\n\n`code` and\n\n```\nblock <b>\n```\n\n---"
    )
    assert "<strong>bold</strong>" in html
    assert "<em>slanted</em>" in html
    assert "<ul>\n<li>one</li>" in html
    assert '<ol start="3">' in html
    assert "<blockquote>" in html
    assert "<code>code</code>" in html
    assert "<pre><code>block &lt;b&gt;\n</code></pre>" in html
    assert "<hr>" in html


def test_a_script_tag_is_shown_as_text_never_run() -> None:
    html = render_markdown("Hello <script>alert('x')</script> there")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        '<a href="javascript:alert(1)">x</a>',
        "<iframe src=https://evil.example></iframe>",
        "<div onclick=alert(1)>x</div>",
        "<style>body{display:none}</style>",
        "<!-- a comment -->",
    ],
)
def test_raw_html_is_never_passed_through(text: str) -> None:
    html = render_markdown(text)
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<div" not in html
    assert "<style" not in html
    assert "<!--" not in html
    assert "<a " not in html


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
    ],
)
def test_dangerous_links_are_not_made_into_links(link: str) -> None:
    html = render_markdown(f"[click me]({link}) and <{link}>")
    assert "href" not in html


def test_web_and_mail_links_are_kept_with_a_safe_rel() -> None:
    html = render_markdown("[the city](https://springfield.example/?a=1&b=2) or <help@example.org>")
    assert (
        '<a href="https://springfield.example/?a=1&amp;b=2" rel="nofollow ugc noopener">'
        "the city</a>"
    ) in html
    assert 'href="mailto:help@example.org"' in html


def _attributes(html: str) -> set[str]:
    from html.parser import HTMLParser

    found: set[str] = set()

    class Collector(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.update(f"{tag}.{name}" for name, _value in attrs)

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "text",
    [
        '[x](https://a.example "title" onclick="alert(1)")',
        '[x](https://a.example "t\\" onclick=\\"alert(1)")',
        '[x](<https://a.example" onclick="alert(1)>)',
        '![x](https://a.example/p.png "t\\" onerror=\\"alert(1)")',
    ],
)
def test_a_link_cannot_bring_its_own_attributes(text: str) -> None:
    assert _attributes(render_markdown(text)) <= {"a.href", "a.title", "a.rel"}


def test_images_are_shown_as_links_and_never_loaded() -> None:
    html = render_markdown('![a deep pothole](https://tracker.example/pixel.png "Title")')
    assert "<img" not in html
    assert (
        '<a href="https://tracker.example/pixel.png" rel="nofollow ugc noopener">a deep pothole</a>'
    ) in html


def test_an_image_without_a_description_shows_its_address() -> None:
    html = render_markdown("![](https://tracker.example/pixel.png)")
    assert "<img" not in html
    assert ">https://tracker.example/pixel.png</a>" in html


def test_an_image_with_a_dangerous_address_is_not_a_link() -> None:
    html = render_markdown('![x" onerror="alert(1)](javascript:alert(1))')
    assert "<img" not in html
    assert "href" not in html
    assert _attributes(html) == set()


def test_headings_become_bold_paragraphs_so_the_page_outline_is_kept() -> None:
    html = render_markdown("# Urgent\n\n## Details\n\nText")
    assert "<h1" not in html and "<h2" not in html
    assert "<p><strong>Urgent</strong></p>" in html


def test_nul_characters_and_empty_text_render_safely() -> None:
    assert render_markdown("") == ""
    assert "\x00" not in render_markdown("a\x00b")


def test_sql_looking_text_is_just_text() -> None:
    html = render_markdown("Robert'); DROP TABLE messages;--")
    assert html == "<p>Robert'); DROP TABLE messages;--</p>\n"


def test_very_long_text_renders() -> None:
    html = render_markdown("word " * 4000)
    assert html.startswith("<p>word word")


def test_the_result_is_marked_safe_for_templates() -> None:
    from django.template import Context, Template

    out = Template("{{ html }}").render(Context({"html": render_markdown("**x** <b>")}))
    assert out == "<p><strong>x</strong> &lt;b&gt;</p>\n"
