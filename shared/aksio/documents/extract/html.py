"""HTML with the standard library's parser: h1-h6 are headings, block
elements end paragraphs, script/style/nav and other chrome are skipped.
Tolerant by design (html.parser never raises on bad markup)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from aksio.documents.extract.common import body, clean_inline, compact, heading
from aksio.documents.model import Block, Extraction, Page

# Tag lists as words: shorter to read than one quoted tag per line.
_SKIP_TAGS = "script style nav noscript template svg math iframe object select button head"
_BLOCK_TAGS = (
    "p div section article main header footer aside blockquote pre ul ol li dl dt dd table "
    "thead tbody tr figure figcaption form fieldset address hr details summary caption"
)
_VOID_TAGS = "br hr img input meta link area base col embed source track wbr param"
_SKIP = frozenset(_SKIP_TAGS.split())
_BLOCK = frozenset(_BLOCK_TAGS.split())
_VOID = frozenset(_VOID_TAGS.split())
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_MAX_DEPTH = 10_000
_WS = re.compile(r"\s+")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block | None] = []
        self.title_parts: list[str] = []
        self._text: list[str] = []
        self._skip: list[str] = []  # open skipped elements (their content is dropped)
        self._heading: int | None = None
        self._in_title = False
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag == "body":  # an unclosed <head> ends where the body starts
            self._skip.clear()
        if tag in _SKIP and tag not in _VOID:
            if len(self._skip) < _MAX_DEPTH:
                self._skip.append(tag)
            return
        if self._skip:
            return
        if tag in _HEADINGS or tag in _BLOCK:
            self._flush()
            if tag in _HEADINGS:
                self._heading = _HEADINGS[tag]
        if tag == "pre":
            self._pre += 1
        if tag == "br":
            self._text.append("\n")
        elif tag in ("td", "th"):
            self._text.append(" | ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if self._skip:
            if tag in self._skip:  # close up to the matching open element
                while self._skip and self._skip.pop() != tag:
                    pass
            return
        if tag in _HEADINGS or tag in _BLOCK:
            self._flush()
        if tag == "pre" and self._pre:
            self._pre -= 1

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
            return
        if self._skip:
            return
        self._text.append(data if self._pre else _WS.sub(" ", data))

    def _flush(self) -> None:
        raw = "".join(self._text)
        self._text = []
        if self._heading is not None:
            self.blocks.append(heading(raw, self._heading))
            self._heading = None
            return
        if not self._pre:  # collapse source line breaks; keep <br> ones
            raw = "\n".join(" ".join(part.split()) for part in raw.split("\n"))
        else:
            raw = raw.strip("\n")
        lines = [line.strip(" |") for line in raw.split("\n")]
        self.blocks.append(body("\n".join(lines)))

    def finish(self) -> None:
        self.close()
        self._flush()


def extract_html(text: str) -> Extraction:
    parser = _Parser()
    parser.feed(text)
    parser.finish()
    title = clean_inline(" ".join(parser.title_parts)) or None
    return Extraction(kind="html", pages=(Page(1, compact(parser.blocks)),), title=title)
