"""The real type of an upload, from its bytes rather than its name.

A student's file name is a claim; the bytes decide. The extension only
chooses between text formats the bytes cannot tell apart (Markdown and
plain text), and a file whose bytes contradict its extension is refused
with a reason that says so, instead of being fed to the wrong parser.
"""

from __future__ import annotations

import codecs
import io
import re
import zipfile
from pathlib import PurePosixPath

from aksio.documents.model import DocumentKind, ExtractionFailed

EXTENSIONS: dict[str, DocumentKind] = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".pptx": "pptx",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
}
TEXT_KINDS: frozenset[DocumentKind] = frozenset({"markdown", "text", "html"})

_NAMES: dict[DocumentKind, str] = {
    "pdf": "a PDF",
    "docx": "a Word document (.docx)",
    "pptx": "a PowerPoint presentation (.pptx)",
    "markdown": "a Markdown file",
    "text": "a text file",
    "html": "a web page (HTML)",
}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Formats we recognise but cannot read: naming them makes the refusal useful.
_OTHER_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (_OLE2, "an older Office file (.doc, .ppt or .xls)"),
    (b"{\\rtf", "a rich-text file (.rtf)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%!PS", "a PostScript file"),
)
_ENCRYPTED_OFFICE = "a password-protected Office document"
_LEGACY_TEXT = "text in an encoding other than UTF-8"
_DAMAGED_ZIP = "a damaged or unreadable ZIP archive"
# Password-protected DOCX/PPTX are not zips but OLE2 files holding this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_PDF_MAGIC_WINDOW = 1024  # the PDF header may follow some junk (spec tolerance)
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024
_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_SUPPORTED = "PDF, Word (.docx), PowerPoint (.pptx), Markdown, plain text or HTML"


def extension_kind(filename: str) -> DocumentKind | None:
    return EXTENSIONS.get(PurePosixPath(filename.lower()).suffix)


def sniff(data: bytes, filename: str) -> DocumentKind:
    """The kind of ``data``; ExtractionFailed when it is empty, unsupported
    or not what ``filename``'s extension says."""
    if not data:
        raise ExtractionFailed("The file is empty.")
    claimed = extension_kind(filename)
    found, what = _from_bytes(data)
    if found is None:
        if what == _ENCRYPTED_OFFICE:
            raise ExtractionFailed(
                "This document is password-protected. Remove the password and upload it again."
            )
        if what == _LEGACY_TEXT and claimed in TEXT_KINDS:
            raise ExtractionFailed(
                "This text file is not saved as UTF-8, so its characters cannot be read "
                "reliably. Save it with UTF-8 encoding and upload it again."
            )
        if what == _DAMAGED_ZIP and claimed in ("docx", "pptx"):
            raise ExtractionFailed(
                f"This file looks like {_NAMES[claimed]} but it is damaged or incomplete. "
                "Open it, save it again and upload the new copy."
            )
        if claimed is not None:
            raise ExtractionFailed(_mismatch(filename, claimed, what))
        raise ExtractionFailed(f"This file type is not supported ({what}). Upload {_SUPPORTED}.")
    if found == "text":  # the bytes say "text": the extension says which kind
        if claimed in TEXT_KINDS:
            return claimed
        if claimed is None:
            raise ExtractionFailed(
                f"This file type is not supported. Upload {_SUPPORTED} "
                "(text files need a .txt or .md name)."
            )
        raise ExtractionFailed(_mismatch(filename, claimed, "a text file"))
    if found == "html" and claimed in TEXT_KINDS:
        return "html"  # a full HTML page saved as .txt or .md is still a page
    if claimed is not None and claimed != found:
        raise ExtractionFailed(_mismatch(filename, claimed, _NAMES[found]))
    return found


def decode_text(data: bytes) -> str | None:
    """``data`` as text: UTF-8 (BOM optional) or UTF-16 with a BOM, with no
    NUL and few control characters; None when it is not text."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    text = text.lstrip("\ufeff")
    if "\x00" in text:
        return None
    controls = sum(1 for c in text[:65536] if ord(c) < 32 and c not in "\t\n\r\f\v")
    if controls > 8 and controls * 100 > len(text[:65536]):  # binary that happens to decode
        return None
    return text


def _from_bytes(data: bytes) -> tuple[DocumentKind | None, str]:
    """(kind, description): kind None when unsupported, described for the reason."""
    if b"%PDF-" in data[:_PDF_MAGIC_WINDOW]:
        return "pdf", _NAMES["pdf"]
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(_OLE2) and _ENCRYPTED_PACKAGE in data:
        return None, _ENCRYPTED_OFFICE
    for magic, name in _OTHER_MAGIC:
        if data.startswith(magic):
            return None, name
    text = decode_text(data)
    if text is None:
        if _looks_like_legacy_text(data):
            return None, _LEGACY_TEXT
        return None, "binary data that is not a document we can read"
    if _HTML_START.match(text[:4096].encode("utf-8", "replace")):
        return "html", _NAMES["html"]
    return "text", "a text file"


def _looks_like_legacy_text(data: bytes) -> bool:
    """Text saved as Latin-1 or Windows-1252: printable bytes, no NUL."""
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in b"\t\n\r\f\v")
    return controls * 100 <= len(sample)


def _zip_kind(data: bytes) -> tuple[DocumentKind | None, str]:
    """DOCX or PPTX from the package's declared main part (falling back to
    its folders). Only the central directory and one small part are read:
    nothing big is inflated here."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            declared = b""
            ct = next((i for i in infos if i.filename == "[Content_Types].xml"), None)
            if ct is not None and ct.file_size <= _MAX_CONTENT_TYPES_BYTES:
                declared = archive.read(ct)
    except Exception:  # a damaged archive says nothing trustworthy about its type
        return None, _DAMAGED_ZIP
    if b"wordprocessingml.document.main" in declared:
        return "docx", _NAMES["docx"]
    if b"presentationml.presentation.main" in declared:
        return "pptx", _NAMES["pptx"]
    if b"spreadsheetml" in declared:
        return None, "an Excel workbook"
    if not declared:
        if any(n.startswith("word/") for n in names):
            return "docx", _NAMES["docx"]
        if any(n.startswith("ppt/") for n in names):
            return "pptx", _NAMES["pptx"]
    if "mimetype" in names and any(n.endswith(".opf") for n in names):
        return None, "an EPUB e-book"
    return None, "a ZIP archive"


def _mismatch(filename: str, claimed: DocumentKind, what: str) -> str:
    ext = PurePosixPath(filename.lower()).suffix
    return (
        f"This file is named {ext} but its contents are {what}, not {_NAMES[claimed]}. "
        "Save it in the right format and upload it again."
    )
