"""Ingestion benchmark (`nox -s bench`): a 500-page textbook PDF, end to end.

In one run, on the same PDF:

  (a) raw: the text of every page by pypdfium2 alone (open, text page,
      ``get_text_bounded``, close): the floor any PDF pipeline stands on;
  (b) ours: ``extract()`` + ``chunk()`` + ``facts()`` + indexing the chunks
      with the embedded BM25 retriever (``Bm25Retriever.index_document``,
      the production path of local dev: tokenise, write the token file, build
      and write the course index; blobs in a temporary local folder).

Each is timed as the median of ``--repeats`` runs, the two taking turns (so
a change of load on the machine does not favour one side of the ratio),
after one warm-up run each (an instance ingests many files; its first also
loads the language model), and reported as pages per second, with the
ratio (b)/(a) of their times.

Peak memory of ingesting the PDF is measured in fresh subprocesses, so
nothing of this process counts: resident set size (``ru_maxrss``, what the
function's memory setting limits, PDFium's C heap included) in one, and the
Python heap peak (``tracemalloc``) in another (tracing slows it and adds
its own overhead, so it is kept out of the RSS run). The script exits
non-zero when the RSS peak is over the target (512 MB by default).

The PDF is built once with reportlab (the test factory's textbook pages:
chapters, sections, bookmarks, real sentences) and cached in build/bench/.
Results: a table on stdout and build/bench/ingestion.json.

Usage: ``python bench/ingestion.py [--pages 500] [--repeats 5] [--target-mb 512]``
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench"
sys.path[:0] = [str(ROOT / "shared"), str(ROOT)]  # the package and the test factories

FACTORY_VERSION = 3  # bump when the generated book changes, to rebuild the cache


def book(pages: int) -> Path:
    """The cached textbook PDF with ``pages`` pages, built when missing."""
    path = OUT / f"textbook-{pages}p-v{FACTORY_VERSION}.pdf"
    if not path.exists():
        from tests.factories.files import pdf, textbook_pages

        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        title = "A Textbook of Everything"
        data = pdf(textbook_pages(pages, chapter_every=20), title=title, running_header=title)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        print(f"built {path.relative_to(ROOT)} in {time.perf_counter() - started:.1f} s")
    return path


# -- the two measured pipelines ----------------------------------------------


def raw_text(data: bytes) -> int:
    """Every page's text by pypdfium2 alone; returns the characters read."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    chars = 0
    pdf = pdfium.PdfDocument(data)
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            chars += len(textpage.get_text_bounded())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return chars


@dataclass
class Ingested:
    pages: int
    chunks: int
    words: int
    language: str | None
    sections: int
    progress_reports: int
    seconds: dict[str, float]


def index_chunks(chunks: Sequence[Any], workdir: Path) -> None:
    """Index the chunks as the embedded retriever does for an upload."""
    from aksio.adapters.bm25_retriever import Bm25Retriever
    from aksio.adapters.local_blobs import LocalBlobStore
    from aksio.documents import paths
    from aksio.ports.retrieval import CourseScope, Passage

    blobs = LocalBlobStore(workdir / "blobs", "bench-bucket")
    # The retriever keeps a document store for wiring only and never reads it.
    retriever = Bm25Retriever(None, blobs)  # type: ignore[arg-type]
    passages = [
        Passage(paths.chunk_id("doc1", c.index), "doc1", c.text, c.page, c.heading) for c in chunks
    ]
    retriever.index_document(CourseScope("bench-user", "bench-course"), "doc1", passages)


def ingest(data: bytes, workdir: Path) -> Ingested:
    from aksio.documents.chunking import chunk
    from aksio.documents.extract import extract
    from aksio.documents.facts import facts

    reports: list[float] = []
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    extraction = extract(data, filename="textbook.pdf", on_progress=reports.append)
    t1 = time.perf_counter()
    chunks = chunk(extraction)
    t2 = time.perf_counter()
    summary = facts(extraction)
    t3 = time.perf_counter()
    index_chunks(chunks, workdir)
    t4 = time.perf_counter()
    seconds = {"extract": t1 - t0, "chunk": t2 - t1, "facts": t3 - t2, "index": t4 - t3}
    return Ingested(
        pages=summary.page_count,
        chunks=len(chunks),
        words=summary.word_count,
        language=summary.language,
        sections=len(summary.proposed_sections),
        progress_reports=len(reports),
        seconds=seconds,
    )


def interleaved(
    fns: Sequence[Callable[[], Any]], repeats: int
) -> tuple[list[list[float]], list[Any]]:
    """Times of each of ``fns``, run in turn ``repeats`` times after one
    warm-up each (imports, the language model, caches). Taking turns keeps
    a load change on the machine from favouring one side of the ratio."""
    results = [fn() for fn in fns]
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            started = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - started)
    return times, results


# -- memory, in a fresh interpreter ---------------------------------------------


def child(path: Path, mode: str) -> None:
    """Runs in the subprocess: ingest once, print the memory figures as JSON."""
    import aksio.documents.chunking
    import aksio.documents.extract
    import aksio.documents.facts  # noqa: F401  (imports are not the ingestion's)

    before = _rss_now_kib()
    data = path.read_bytes()
    if mode == "tracemalloc":
        tracemalloc.start()
    with tempfile.TemporaryDirectory() as tmp:
        ingest(data, Path(tmp))
    out: dict[str, float] = {
        "rss_before_kib": before,
        "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,  # KiB on Linux
        "vm_hwm_kib": _proc_status_kib("VmHWM"),  # the kernel's own peak, as a cross-check
    }
    if mode == "tracemalloc":
        out["tracemalloc_peak_bytes"] = tracemalloc.get_traced_memory()[1]
    print(json.dumps(out))


def _proc_status_kib(field: str) -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return float(line.split()[1])
    except OSError:
        pass
    return float("nan")


def _rss_now_kib() -> float:
    now = _proc_status_kib("VmRSS")
    return now if not math.isnan(now) else float(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def measure_memory(path: Path, mode: str) -> dict[str, float]:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--pdf", str(path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


# -- report -------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--target-mb", type=float, default=512.0)
    parser.add_argument("--child", choices=["rss", "tracemalloc"], help=argparse.SUPPRESS)
    parser.add_argument("--pdf", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.pdf, args.child)
        return 0

    path = book(args.pages)
    # Memory first: ru_maxrss survives exec, so a child spawned by a parent
    # that is already big would report the parent's size, not its own.
    rss = measure_memory(path, "rss")
    traced = measure_memory(path, "tracemalloc")
    data = path.read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        runs: list[Ingested] = []

        def once() -> Ingested:
            run = ingest(data, Path(tmp))
            runs.append(run)
            return run

        (raw_times, ours_times), (chars, result) = interleaved(
            [lambda: raw_text(data), once], args.repeats
        )
    stages = {k: statistics.median(r.seconds[k] for r in runs[1:]) for k in result.seconds}

    raw_s, ours_s = statistics.median(raw_times), statistics.median(ours_times)
    rss_mb = rss["rss_peak_kib"] / 1024
    report = {
        "pdf": str(path.relative_to(ROOT)),
        "pdf_bytes": len(data),
        "pages": result.pages,
        "repeats": args.repeats,
        "raw_pypdfium2": {
            "median_s": raw_s,
            "pages_per_s": result.pages / raw_s,
            "chars": chars,
            "runs_s": raw_times,
        },
        "end_to_end": {
            "median_s": ours_s,
            "pages_per_s": result.pages / ours_s,
            "runs_s": ours_times,
            "stages_median_s": stages,
            "indexing": "Bm25Retriever.index_document (local blob store)",
            "result": {k: v for k, v in asdict(result).items() if k != "seconds"},
        },
        "ratio_time_end_to_end_over_raw": ours_s / raw_s,
        "memory": {
            "rss_peak_mb": rss_mb,
            "vm_hwm_mb": rss["vm_hwm_kib"] / 1024,
            "rss_after_imports_mb": rss["rss_before_kib"] / 1024,
            "tracemalloc_peak_mb": traced["tracemalloc_peak_bytes"] / 2**20,
            "target_mb": args.target_mb,
            "within_target": rss_mb <= args.target_mb,
        },
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ingestion.json").write_text(json.dumps(report, indent=2) + "\n")
    _print(report)
    return 0 if report["memory"]["within_target"] else 1


def _print(r: dict[str, Any]) -> None:
    raw, ours, mem = r["raw_pypdfium2"], r["end_to_end"], r["memory"]
    res = ours["result"]
    print(f"\nIngestion of {r['pdf']} ({r['pages']} pages, {r['pdf_bytes'] / 2**20:.1f} MB)")
    print(f"median of {r['repeats']} runs each, taking turns, after a warm-up\n")
    print(f"{'pipeline':<44}{'median s':>10}{'pages/s':>10}")
    print("-" * 64)
    print(
        f"{'(a) raw text, pypdfium2 alone':<44}{raw['median_s']:>10.3f}{raw['pages_per_s']:>10.0f}"
    )
    print(
        f"{'(b) extract + chunk + facts + BM25 index':<44}"
        f"{ours['median_s']:>10.3f}{ours['pages_per_s']:>10.0f}"
    )
    for stage, seconds in ours["stages_median_s"].items():
        print(f"{'      ' + stage:<44}{seconds:>10.3f}")
    print("-" * 64)
    print(f"{'ratio (b)/(a), time':<44}{r['ratio_time_end_to_end_over_raw']:>10.2f}x")
    print(
        f"\n{res['chunks']} chunks, {res['words']} words, language {res['language']}, "
        f"{res['sections']} proposed sections, {res['progress_reports']} progress reports"
    )
    verdict = "OK" if mem["within_target"] else "OVER TARGET"
    print(
        f"\npeak memory ingesting it (fresh process): RSS {mem['rss_peak_mb']:.0f} MB "
        f"(ru_maxrss; VmHWM {mem['vm_hwm_mb']:.0f} MB; {mem['rss_after_imports_mb']:.0f} MB "
        "after imports), "
        f"Python heap {mem['tracemalloc_peak_mb']:.0f} MB; "
        f"target {mem['target_mb']:.0f} MB: {verdict}"
    )
    print(f"written to {OUT.relative_to(ROOT) / 'ingestion.json'}")


if __name__ == "__main__":
    sys.exit(main())
