"""Markdown: ATX ("# Title") and setext ("Title\\n=====") headings, paragraphs
split by blank lines, markup stripped to the words a student reads.

Not a full CommonMark parser: enough to keep structure and drop syntax.
Fenced code stays as body text (it is course material) and a "#" inside it
is not a heading; a leading YAML front-matter block is skipped.
"""

from __future__ import annotations

import re

from aksio.documents.extract.common import body, compact, heading
from aksio.documents.model import Block, Extraction, Page

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_RULE = re.compile(r"^ {0,3}([-*_])([ \t]*\1){2,}[ \t]*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_INLINE = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image: its alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # link: its text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # reference link
    (re.compile(r"<(https?://[^>]+)>"), r"\1"),  # autolink
    (re.compile(r"</?[A-Za-z][^>]*>"), ""),  # inline HTML tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])"), r"\2"),  # emphasis
    (re.compile(r"~~(.+?)~~"), r"\1"),  # strikethrough
    (re.compile(r"`+([^`]+)`+"), r"\1"),  # inline code
)
_LINE_PREFIX = re.compile(r"^ {0,3}(>[ \t]?)+|^[ \t]*([-*+]|\d{1,9}[.)])[ \t]+")


def strip_inline(text: str) -> str:
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text


def extract_markdown(text: str) -> Extraction:
    lines = _skip_front_matter(text.splitlines())
    blocks: list[Block | None] = []
    para: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if para:
            blocks.append(body("\n".join(para)))
            para.clear()

    for line in lines:
        if fence is not None:  # inside fenced code: verbatim until the closing fence
            if line.strip().startswith(fence):
                fence = None
                flush()
            else:
                para.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence = opening.group(1)
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            blocks.append(heading(strip_inline(atx.group(2) or ""), len(atx.group(1))))
            continue
        setext = _SETEXT.match(line)
        if setext and len(para) == 1:  # the line above is the heading
            level = 1 if setext.group(1).startswith("=") else 2
            blocks.append(heading(strip_inline(para.pop()), level))
            continue
        if not line.strip() or _RULE.match(line) or _TABLE_RULE.match(line):
            flush()
            continue
        para.append(strip_inline(_LINE_PREFIX.sub("", line)).strip().strip("|"))
    flush()
    return Extraction(kind="markdown", pages=(Page(1, compact(blocks)),), title=_title(blocks))


def _skip_front_matter(lines: list[str]) -> list[str]:
    if lines and lines[0].strip() == "---":
        for i, line in enumerate(lines[1:200], start=1):
            if line.strip() in ("---", "..."):
                return lines[i + 1 :]
    return lines


def _title(blocks: list[Block | None]) -> str | None:
    """The one top-level heading, when it opens the file (several "#"
    headings are chapters, not a title)."""
    tops = [b for b in blocks if b is not None and b.heading_level == 1]
    first = next((b for b in blocks if b is not None), None)
    return first.text if len(tops) == 1 and first is tops[0] else None
