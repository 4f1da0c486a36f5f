"""Checks on a DOCX/PPTX archive BEFORE python-docx or python-pptx inflate it.

Only the central directory is read. ``zipfile`` never inflates an entry
past its declared size (it stops at ``file_size`` and fails the CRC), so
bounding the declared sizes bounds what the parsers can ever allocate:
a zip bomb is refused in milliseconds, with nothing inflated.
"""

from __future__ import annotations

import io
import zipfile

from aksio.documents.model import ExtractionFailed, ExtractionLimits

# Small parts compress extremely well when repetitive (empty XML runs):
# ratios matter only once an entry is big enough to hurt.
_RATIO_FLOOR_BYTES = 1024 * 1024
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
_BOMB = (
    "This file expands to far more data than a real document holds (it looks like a "
    "zip bomb), so it was not opened."
)


def check_archive(data: bytes, limits: ExtractionLimits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ExtractionFailed(
            "This document is damaged or incomplete. Open it, save it again and upload the "
            "new copy."
        ) from exc
    if len(infos) > limits.max_zip_entries:
        raise ExtractionFailed(
            f"This document holds {len(infos)} parts, more than a real document has, so it "
            "was not opened."
        )
    total = 0
    packed = 0
    for info in infos:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or ".." in parts or ":" in name or "\x00" in name:
            raise ExtractionFailed(
                "This document contains unsafe file paths, so it was not opened."
            )
        if info.flag_bits & 0x1:
            raise ExtractionFailed(
                "This document is password-protected. Remove the password and upload it again."
            )
        if info.compress_type not in _METHODS:
            raise ExtractionFailed(
                "This document uses a compression we cannot read. Save it again from Word or "
                "PowerPoint and upload the new copy."
            )
        total += info.file_size
        packed += info.compress_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR_BYTES and ratio > limits.max_compression_ratio:
            raise ExtractionFailed(_BOMB)
    if total > limits.max_uncompressed_bytes:
        raise ExtractionFailed(_BOMB)
    if total > _RATIO_FLOOR_BYTES and total / max(packed, 1) > limits.max_compression_ratio:
        raise ExtractionFailed(_BOMB)
