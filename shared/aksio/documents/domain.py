"""Documents logic with no I/O: file names, declared types, statuses."""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePosixPath

from aksio.documents.model import CONTENT_TYPES, DocumentKind
from aksio.documents.sniff import EXTENSIONS

SUPPORTED = ", ".join(sorted(EXTENSIONS))
_UNSAFE = re.compile(r"[^\w.\- ]+")
MAX_FILENAME = 150


def safe_filename(name: str) -> str:
    """A file name that is safe as the last segment of an object name: the
    base name only, normalised, without control or path characters."""
    base = PurePosixPath(name.replace("\\", "/")).name
    base = unicodedata.normalize("NFC", base)
    base = _UNSAFE.sub("_", base).strip(" .") or "upload"
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 10:
        return stem[: MAX_FILENAME - len(ext) - 1] + "." + ext
    return base[:MAX_FILENAME]


def kind_from_filename(filename: str) -> DocumentKind | None:
    return EXTENSIONS.get(PurePosixPath(filename.lower()).suffix)


def content_type_for(filename: str) -> str:
    kind = kind_from_filename(filename)
    return CONTENT_TYPES[kind] if kind else "application/octet-stream"


def default_title(filename: str) -> str:
    stem = PurePosixPath(filename).stem
    return re.sub(r"[_\s]+", " ", stem).strip() or filename
