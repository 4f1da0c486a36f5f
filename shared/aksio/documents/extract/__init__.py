"""Text extraction: bytes in, pages of headings and paragraphs out.

``extract`` checks size and the real type (``sniff``), then hands the bytes
to one format's extractor. Whatever the bytes are, the only exception that
leaves is ExtractionFailed with a reason a student can act on: library
errors on hostile or broken files are wrapped here, once.
"""

from __future__ import annotations

import logging

from aksio.documents.extract.common import CallbackFailed, Progress
from aksio.documents.model import (
    Extraction,
    ExtractionFailed,
    ExtractionLimits,
    ProgressCallback,
)
from aksio.documents.sniff import decode_text, sniff

__all__ = ["extract"]

log = logging.getLogger("aksio.documents.extract")

_DAMAGED = "We could not read this file; it may be damaged. Save it again and upload the new copy."


def extract(
    data: bytes,
    *,
    filename: str,
    limits: ExtractionLimits = ExtractionLimits(),  # noqa: B008  (frozen, so sharing is safe)
    on_progress: ProgressCallback | None = None,
) -> Extraction:
    if len(data) > limits.max_bytes:
        raise ExtractionFailed(
            f"The file is larger than {limits.max_bytes // (1024 * 1024)} MB, the most we accept."
        )
    kind = sniff(data, filename)
    progress = Progress(on_progress, total=1)
    try:
        result = _dispatch(kind, data, limits, progress)
    except ExtractionFailed:
        raise
    except CallbackFailed as exc:  # the caller's bug, not the file's: theirs to see
        raise exc.error from None
    except RecursionError as exc:  # deeply nested markup
        raise ExtractionFailed("This file is nested too deeply to read.") from exc
    except Exception as exc:
        # Any parser can fail on a hostile file; what failed is logged for us,
        # the student gets a reason they can act on.
        log.warning("extraction failed", extra={"kind": kind, "error": repr(exc)[:500]})
        raise ExtractionFailed(_DAMAGED) from exc
    progress.report(1.0)
    return result


def _dispatch(kind: str, data: bytes, limits: ExtractionLimits, progress: Progress) -> Extraction:
    # Each format imports its library only when a file of that kind arrives.
    if kind == "pdf":
        from aksio.documents.extract.pdf import extract_pdf

        return extract_pdf(data, limits, progress)
    if kind in ("docx", "pptx"):
        from aksio.documents.extract.zipsafe import check_archive

        check_archive(data, limits)
        if kind == "docx":
            from aksio.documents.extract.word import extract_docx

            return extract_docx(data, limits, progress)
        from aksio.documents.extract.slides import extract_pptx

        return extract_pptx(data, limits, progress)
    text = decode_text(data)
    if text is None:  # sniff() decoded it already; this only satisfies the types
        raise ExtractionFailed(_DAMAGED)
    if kind == "markdown":
        from aksio.documents.extract.markdown import extract_markdown

        return extract_markdown(text)
    if kind == "html":
        from aksio.documents.extract.html import extract_html

        return extract_html(text)
    from aksio.documents.extract.plaintext import extract_text

    return extract_text(text)
