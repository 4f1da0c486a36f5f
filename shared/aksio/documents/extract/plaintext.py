"""Plain text: one page, paragraphs split by blank lines; hard-wrapped lines
of one paragraph are joined. Only unmistakable heading lines ("CHAPTER IV",
"2.3 Elasticity") standing alone become headings."""

from __future__ import annotations

import re

from aksio.documents.extract.common import body, compact, guess_heading_level, heading
from aksio.documents.model import Block, Extraction, Page

_BLANK = re.compile(r"\n[ \t]*\n")
_FORM_FEED = "\f"


def extract_text(text: str) -> Extraction:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(_FORM_FEED, "\n\n")
    blocks: list[Block | None] = []
    for para in _BLANK.split(text):
        lines = [line.strip() for line in para.splitlines() if line.strip()]
        if not lines:
            continue
        level = guess_heading_level(lines[0]) if len(lines) == 1 else None
        if level is not None:
            blocks.append(heading(lines[0], level))
        elif _is_list(lines):
            blocks.append(body("\n".join(lines)))
        else:
            blocks.append(body(" ".join(lines)))
    return Extraction(kind="text", pages=(Page(1, compact(blocks)),))


def _is_list(lines: list[str]) -> bool:
    return len(lines) > 1 and all(line[:1] in "-*\u2022" for line in lines)
