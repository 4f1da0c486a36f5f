"""The real type comes from the bytes; the extension only picks between text kinds."""

from __future__ import annotations

import codecs

import pytest

from aksio.documents.model import ExtractionFailed
from aksio.documents.sniff import sniff
from tests.factories import files


@pytest.mark.parametrize(
    ("name", "build", "kind"),
    [
        ("notes.pdf", lambda: files.textbook_pdf(1), "pdf"),
        ("NOTES.PDF", lambda: files.textbook_pdf(1), "pdf"),
        ("notes.docx", files.docx, "docx"),
        ("slides.pptx", files.pptx, "pptx"),
        ("readme.md", files.markdown, "markdown"),
        ("readme.markdown", files.markdown, "markdown"),
        ("notes.txt", files.text, "text"),
        ("page.html", files.html, "html"),
        ("page.htm", files.html, "html"),
    ],
)
def test_each_supported_kind(name: str, build: object, kind: str) -> None:
    assert sniff(build(), name) == kind  # type: ignore[operator]


def test_pdf_header_after_leading_junk() -> None:
    assert sniff(b"\r\n  " + files.textbook_pdf(1), "x.pdf") == "pdf"


def test_utf16_with_bom_is_text() -> None:
    data = codecs.BOM_UTF16_LE + "Notater om celler.\n".encode("utf-16-le")
    assert sniff(data, "notater.txt") == "text"


def test_full_html_page_saved_as_txt_is_html() -> None:
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>", "page.txt") == "html"


def test_markdown_and_text_by_extension_only() -> None:
    data = b"# Heading\n\nBody.\n"
    assert sniff(data, "a.md") == "markdown"
    assert sniff(data, "a.txt") == "text"


def test_empty() -> None:
    with pytest.raises(ExtractionFailed, match="The file is empty"):
        sniff(b"", "a.pdf")


@pytest.mark.parametrize(
    ("name", "build", "says"),
    [
        ("notes.pdf", files.png, "named .pdf but its contents are a PNG image"),
        ("notes.docx", lambda: files.textbook_pdf(1), "named .docx but its contents are a PDF"),
        ("notes.pdf", files.docx, "contents are a Word document"),
        ("slides.pptx", files.docx, "not a PowerPoint presentation"),
        ("notes.txt", lambda: files.textbook_pdf(1), "named .txt but its contents are a PDF"),
        ("notes.pdf", files.text, "named .pdf but its contents are a text file"),
        ("notes.md", lambda: b"\x00\x01\x02\x03binary", "named .md"),
    ],
)
def test_bytes_that_contradict_the_extension(name: str, build: object, says: str) -> None:
    with pytest.raises(ExtractionFailed, match=says):
        sniff(build(), name)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("photo.jpg", b"\xff\xd8\xff\xe0rest", "not supported \\(a JPEG image\\)"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "older Office file"),
        ("data.bin", bytes(range(256)) * 4, "not supported"),
        ("script.py", b"print('hi')\n", "not supported"),
        ("archive.zip", files.zip_with_entries(["a.txt"], content_types=b"<Types/>"), "ZIP"),
    ],
)
def test_unsupported(name: str, data: bytes, says: str) -> None:
    with pytest.raises(ExtractionFailed, match=says):
        sniff(data, name)


def test_password_protected_office_file() -> None:
    # Encrypted DOCX/PPTX are OLE2 containers holding an "EncryptedPackage" stream.
    data = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le")
    )
    with pytest.raises(ExtractionFailed, match="password-protected"):
        sniff(data, "thesis.docx")


def test_damaged_zip_named_docx() -> None:
    data = files.docx()
    with pytest.raises(ExtractionFailed, match="damaged or incomplete"):
        sniff(data[: len(data) // 2], "notes.docx")


def test_text_in_a_legacy_encoding_says_so() -> None:
    with pytest.raises(ExtractionFailed, match="not saved as UTF-8"):
        sniff("Notes on café culture, 1850\u20131900.".encode("cp1252"), "notes.txt")
