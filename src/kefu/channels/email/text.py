"""Mail text made fit for a conversation: HTML to plain text, quoted history cut, length capped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Their content is never text a person wrote to us.
_SKIPPED = frozenset({"script", "style", "head", "title", "template", "noscript", "svg", "object"})
_BLOCKS = frozenset(
    {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
     "table", "ul", "ol", "hr", "section", "article", "header", "footer"}
)  # fmt: skip
_QUOTE_HEADERS = (
    re.compile(r"^\s*On\b.{0,200}\bwrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*在.{0,200}写道[:：]\s*$"),
    re.compile(r"^\s*-{2,}\s*(Original Message|原始邮件|原始郵件)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*(From|发件人|發件人)[:：].*[@<].*$"),
)
EMPTY_BODY = "（无正文）"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML mail: no tags, no scripts or styles, entities decoded,
    paragraphs kept as lines. The result is plain text, escaped wherever it is shown."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """``text`` without the quoted history most mail clients append to a reply: everything
    from an "On ... wrote:" / "在 ... 写道：" line, and trailing ``>`` lines. Kept whole if
    nothing would remain."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if any(pattern.match(line) for pattern in _QUOTE_HEADERS):
            lines = lines[:index]
            break
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith(">")):
        lines.pop()
    kept = "\n".join(lines).strip()
    return kept or text.strip()


def fit_body(text: str, attachments: tuple[str, ...], limit: int) -> str:
    """A message body of 1 to ``limit`` characters: the text, attachment names noted, cut with
    a marker when too long."""
    notes = "\n".join(f"[附件 attachment: {name}]" for name in attachments)
    body = "\n\n".join(part for part in (text.strip(), notes) if part) or EMPTY_BODY
    if len(body) > limit:
        marker = "\n…[truncated]"
        body = body[: limit - len(marker)] + marker
    return body
