"""Message formatting: CommonMark rendered once on write, then sanitized with nh3.

markdown-it-py is a maintained CommonMark implementation; with `linkify` a bare tracking URL
becomes a link. Raw HTML in a message is never markup (`html=False` escapes it), and nh3
removes anything outside the allow-list as a second line of defence. Headings start at h3 so
a message never outranks the page's own headings.
"""

import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
MENTION = re.compile(r"(?<![\w@])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
HEADING_OFFSET = 2  # "#" renders as h3

_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True}).enable(
    ["linkify", "strikethrough"]
)


def _shift_headings(tokens) -> None:
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = int(token.tag[1]) + HEADING_OFFSET
            token.tag = f"h{min(level, 6)}"


def render_body(body: str) -> str:
    tokens = _MARKDOWN.parse(body.strip())
    _shift_headings(tokens)
    html = _MARKDOWN.renderer.render(tokens, _MARKDOWN.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(body: str, limit: int | None = None) -> str:
    """The message as words, for notification previews and e-mails: no Markdown marks."""
    tokens = _MARKDOWN.parse(body.strip())
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            for child in token.children or ():
                parts.append(child.content or (" " if child.type.endswith("break") else ""))
            parts.append(" ")
        elif token.type in ("fence", "code_block"):
            parts.append(token.content + " ")
    text = re.sub(r"\s+", " ", "".join(parts)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def mentioned_emails(body: str) -> set[str]:
    return {match.lower() for match in MENTION.findall(body)}
