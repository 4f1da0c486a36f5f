"""Test files built at test time, so no binary fixture is committed.

PDFs come from reportlab's canvas (deterministic layout, real sentences,
bookmarks), DOCX and PPTX from python-docx and python-pptx, the bad files
(encrypted, scanned, truncated, zip bomb, PNG named .pdf) from the same
tools or from ``zipfile`` directly. Every builder returns bytes.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

# Textbook-like sentences: enough variety for chunking, language detection
# and search to behave as on real material.
SENTENCES: tuple[str, ...] = (
    "The cell membrane controls which substances enter and leave the cell.",
    "Mitochondria convert the energy stored in glucose into a form the cell can use.",
    "Enzymes lower the activation energy of chemical reactions without being consumed.",
    "During photosynthesis, plants capture light energy and store it as chemical energy.",
    "DNA carries the genetic instructions for the development of all living organisms.",
    "Natural selection favours traits that improve an organism's chance of reproducing.",
    "The industrial revolution transformed the way goods were produced and distributed.",
    "Steam engines made it possible to build factories far away from rivers.",
    "Railways connected distant markets and reduced the cost of moving raw materials.",
    "Workers moved from the countryside to the growing cities in search of wages.",
    "Supply and demand together determine the price of a good in a competitive market.",
    "When the price of a good rises, consumers usually buy less of it.",
    "Inflation reduces the purchasing power of money held by households.",
    "Central banks raise interest rates to slow down the growth of prices.",
    "A budget deficit occurs when a government spends more than it collects in taxes.",
    "Newton's second law states that force equals mass times acceleration.",
    "Energy can neither be created nor destroyed, only changed from one form to another.",
    "The speed of light in a vacuum is the same for every observer.",
    "Students remember more when they test themselves than when they reread their notes.",
    "Spacing practice over several days leads to more durable learning than cramming.",
)

TOPICS: tuple[str, ...] = (
    "Cells and Energy",
    "The Industrial Revolution",
    "Markets and Prices",
    "Forces and Motion",
    "Learning How to Learn",
)


def sentences(count: int, seed: int = 0) -> list[str]:
    rng = random.Random(f"aksio-{seed}")  # a string seed: well spread, still deterministic
    return [rng.choice(SENTENCES) for _ in range(count)]


def paragraph(seed: int, count: int = 5) -> str:
    return " ".join(sentences(count, seed))


# -- PDF ----------------------------------------------------------------------


@dataclass(frozen=True)
class PdfPage:
    heading: str | None = None
    heading_level: int = 1
    paragraphs: Sequence[str] = field(default_factory=tuple)


def textbook_pages(pages: int, *, chapter_every: int = 3, seed: int = 0) -> list[PdfPage]:
    """``pages`` pages of real sentences; a chapter heading every
    ``chapter_every`` pages, a section heading on the others."""
    out: list[PdfPage] = []
    for n in range(pages):
        chapter = n // chapter_every
        if n % chapter_every == 0:
            heading = f"Chapter {chapter + 1}: {TOPICS[chapter % len(TOPICS)]}"
            level = 1
        else:
            heading = f"{chapter + 1}.{n % chapter_every} Key ideas, part {n % chapter_every}"
            level = 2
        paras = [paragraph(seed * 100_000 + n * 10 + i, 5 + i % 3) for i in range(4)]
        out.append(PdfPage(heading, level, paras))
    return out


def pdf(
    pages: Sequence[PdfPage],
    *,
    title: str | None = "Introduction to Everything",
    outline: bool = True,
    user_password: str | None = None,
    running_header: str | None = None,
) -> bytes:
    """A PDF drawn on reportlab's canvas: one page per ``PdfPage``, headings
    in a larger bold font, body wrapped at the margin, a blank gap between
    paragraphs, bookmarks for the headings when ``outline``."""
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.lib.utils import simpleSplit  # type: ignore[import-untyped]
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    buf = io.BytesIO()
    encrypt = None
    if user_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption  # type: ignore[import-untyped]

        encrypt = StandardEncryption(user_password, "owner-secret", strength=128)
    canvas = Canvas(buf, pagesize=A4, invariant=True, encrypt=encrypt)
    if title:
        canvas.setTitle(title)
    width, height = A4
    margin = 72.0
    for number, page in enumerate(pages, start=1):
        y = height - margin
        if running_header:  # like a printed book: title and page number above the text
            canvas.setFont("Helvetica-Oblique", 9)
            canvas.drawString(margin, height - 40, f"{running_header}    {number}")
        if page.heading:
            if outline:
                key = f"p{number}"
                canvas.bookmarkPage(key)
                canvas.addOutlineEntry(page.heading, key, level=page.heading_level - 1)
            size = 18 if page.heading_level == 1 else 14
            canvas.setFont("Helvetica-Bold", size)
            canvas.drawString(margin, y, page.heading)
            y -= size * 2
        canvas.setFont("Helvetica", 11)
        for para in page.paragraphs:
            for line in simpleSplit(para, "Helvetica", 11, width - 2 * margin):
                canvas.drawString(margin, y, line)
                y -= 14
            y -= 10
        canvas.setFont("Helvetica", 9)
        canvas.drawCentredString(width / 2, 36, str(number))
        canvas.showPage()
    if outline and any(p.heading for p in pages):
        canvas.showOutline()
    canvas.save()
    return buf.getvalue()


def textbook_pdf(
    pages: int = 3,
    *,
    title: str | None = "Introduction to Everything",
    outline: bool = True,
    running_header: str | None = None,
) -> bytes:
    return pdf(textbook_pages(pages), title=title, outline=outline, running_header=running_header)


def encrypted_pdf() -> bytes:
    return pdf(textbook_pages(2), user_password="secret")


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages that are only a picture of text: no text layer at all."""
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    image = Image.new("L", (400, 560), 255)
    draw = ImageDraw.Draw(image)
    for row in range(40, 520, 16):
        draw.line([(30, row), (370, row)], fill=60, width=3)  # "lines of print"
    reader = ImageReader(image)
    buf = io.BytesIO()
    canvas = Canvas(buf, pagesize=A4, invariant=True)
    for _ in range(pages):
        canvas.drawImage(reader, 50, 50, width=495, height=740)
        canvas.showPage()
    canvas.save()
    return buf.getvalue()


def truncated_pdf() -> bytes:
    data = textbook_pdf(4)
    return data[: len(data) * 2 // 3]


# -- Office -------------------------------------------------------------------


def docx(
    *,
    title: str | None = "Lecture Notes",
    chapters: Sequence[str] = TOPICS[:3],
    paragraphs_per_chapter: int = 3,
    page_break_between_chapters: bool = False,
    table: bool = True,
) -> bytes:
    """Title, ``Heading 1`` per chapter with a ``Heading 2`` and body under it,
    and a table after the first chapter."""
    from docx import Document
    from docx.enum.text import WD_BREAK

    doc = Document()
    if title:
        doc.add_heading(title, level=0)  # the "Title" style
    for c, chapter in enumerate(chapters):
        if c and page_break_between_chapters:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        doc.add_heading(chapter, level=1)
        doc.add_heading(f"Overview of {chapter.lower()}", level=2)
        for i in range(paragraphs_per_chapter):
            doc.add_paragraph(paragraph(c * 10 + i))
        if table and c == 0:
            grid = doc.add_table(rows=2, cols=2)
            grid.cell(0, 0).text = "Term"
            grid.cell(0, 1).text = "Definition"
            grid.cell(1, 0).text = "Osmosis"
            grid.cell(1, 1).text = "Diffusion of water through a membrane"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def pptx(slides: Sequence[tuple[str, Sequence[str]]] | None = None, *, notes: bool = True) -> bytes:
    """One slide per (title, bullets); speaker notes on each when ``notes``."""
    from pptx import Presentation

    if slides is None:
        slides = [(topic, sentences(3, seed)) for seed, topic in enumerate(TOPICS[:3])]
    prs = Presentation()
    layout = prs.slide_layouts[1]  # "Title and Content"
    for s, (title, bullets) in enumerate(slides):
        slide = prs.slides.add_slide(layout)
        assert slide.shapes.title is not None
        slide.shapes.title.text = title
        body = slide.placeholders[1]
        frame = body.text_frame
        frame.text = bullets[0] if bullets else ""
        for bullet in bullets[1:]:
            frame.add_paragraph().text = bullet
        if notes:
            notes_frame = slide.notes_slide.notes_text_frame
            assert notes_frame is not None
            notes_frame.text = f"Remind the class about slide {s + 1}."
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


def docx_zip_bomb(inflated_bytes: int = 256 * 1024 * 1024) -> bytes:
    """A DOCX-shaped zip whose word/document.xml declares (and truly holds)
    ``inflated_bytes`` of spaces: a few MB on disk at most, far more when
    inflated. Streamed through a compressor so building it stays cheap."""
    head = (
        b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>'
    )
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES_DOCX)
        zf.writestr("_rels/.rels", _RELS_DOCX)
        with zf.open("word/document.xml", "w", force_zip64=True) as out:
            out.write(head)
            block = b" " * (1024 * 1024)
            for _ in range(inflated_bytes // len(block)):
                out.write(block)
            out.write(tail)
    return buf.getvalue()


def zip_with_entries(names: Sequence[str], content_types: bytes | None = None) -> bytes:
    """A zip holding small entries with the given names (nested paths, many
    entries...), DOCX-shaped by default."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", content_types or _CONTENT_TYPES_DOCX)
        for name in names:
            zf.writestr(name, b"<x/>")
    return buf.getvalue()


_CONTENT_TYPES_DOCX = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS_DOCX = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
    b'2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
    b"</Relationships>"
)


# -- Text formats -------------------------------------------------------------


def markdown() -> bytes:
    return f"""---
title: Front matter is skipped
---
# {TOPICS[0]}

Intro with **bold**, _emphasis_, `code` and a [link](https://example.com).

## Membranes

{paragraph(1)}

- first point
- second point

```python
# not a heading
x = 1
```

# {TOPICS[1]}

{paragraph(2)}

![diagram of a steam engine](engine.png)
""".encode()


def text() -> bytes:
    return (
        f"CHAPTER I\n\n{paragraph(3)}\nwrapped on a second line.\n\n"
        f"{paragraph(4)}\n\n\nCHAPTER II\n\n{paragraph(5)}\n"
    ).encode()


def html() -> bytes:
    return f"""<!DOCTYPE html>
<html><head><title>Lecture 4 &amp; notes</title>
<style>body {{ color: red; }}</style><script>var hidden = "never shown";</script></head>
<body>
<nav><a href="/">Home</a> <a href="/x">Menu item</a></nav>
<h1>{TOPICS[2]}</h1>
<p>{paragraph(6)}</p>
<h2>Supply &amp; demand</h2>
<p>Prices <b>move</b> when<br>supply changes.</p>
<ul><li>first</li><li>second</li></ul>
<table><tr><td>Good</td><td>Price</td></tr></table>
</body></html>""".encode()


def png(width: int = 4, height: int = 4) -> bytes:
    """A real (tiny) PNG, built by hand."""

    def chunk_(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff" * (width * 3) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk_(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk_(b"IDAT", zlib.compress(raw))
        + chunk_(b"IEND", b"")
    )
