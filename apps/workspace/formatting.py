"""Simple message formatting, rendered once on write and sanitized with nh3."""

import re

import nh3
from django.utils.html import escape

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "a", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
BULLET = re.compile(r"^\s*[-*] ")
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")

_INLINE = [
    (re.compile(r"`([^`\n]+)`"), r"<code>\1</code>"),
    (re.compile(r"\*\*([^*\n]+)\*\*"), r"<strong>\1</strong>"),
    (re.compile(r"(?<![*\w])\*([^*\n]+)\*(?![*\w])"), r"<em>\1</em>"),
    (re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)"), r'<a href="\2">\1</a>'),
]


def _inline(text: str) -> str:
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def render_body(body: str) -> str:
    """A small Markdown subset: paragraphs, line breaks, lists, quotes, bold, italic, code, links.

    The text is escaped first, so nothing a user types becomes markup by itself; nh3 then
    removes anything outside the allow-list as a second line of defence.
    """
    blocks = []
    for block in re.split(r"\n\s*\n", body.strip()):
        lines = [escape(line) for line in block.splitlines()]
        if all(BULLET.match(line) for line in lines):
            items = "".join(f"<li>{_inline(BULLET.sub('', line))}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif all(line.startswith("&gt;") for line in lines):
            inner = "<br>".join(_inline(line[4:].lstrip()) for line in lines)
            blocks.append(f"<blockquote>{inner}</blockquote>")
        else:
            blocks.append(f"<p>{'<br>'.join(_inline(line) for line in lines)}</p>")
    html = "".join(blocks)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def mentioned_emails(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}
