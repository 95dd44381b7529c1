"""A year's student PDFs written in bulk: read in one pass, rendered in worker processes.

Rendering a slip PDF is reportlab's work (about nine tenths of a PDF's time, the rest its
queries when read student by student): the contents of every PDF are read first in a few
queries per 1,000 students (`year_slip_documents`), then rendered by `workers` processes
(each one registers the fonts once and keeps their subsets: reports/common.py caches them).

Each worker renders a chunk of documents and writes their files itself: only the contents
go to the workers and only a count comes back, so the parent never holds, unpickles nor
writes the PDFs' bytes (that serial work left the workers waiting). Chunks are big (a few
per worker, at most `MOST_PER_CHUNK` documents so the progress still moves) and are
reported as each one finishes, in any order. A chunk that fails (a file that cannot be
written, a rendering error, a worker that dies) raises in the parent: the chunks not yet
started are cancelled and no student is dropped silently.

The PDFs are renderings of the slip rows, which `build_slips` wrote in one transaction
before: a file that failed to be written is written again by running the command again
(the rows never change, so neither does the file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registrar_tui.reports.tax_slip import TaxSlipDocument

CHUNK = 16
"""Fewest documents sent to a worker at a time; below two chunks, no worker processes."""

MOST_PER_CHUNK = 500
"""Most documents sent to a worker at a time: the progress moves every ~1 s per worker."""

CHUNKS_PER_WORKER = 4
"""Chunks per worker at least: the last ones end about together."""


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


def chunk_size(total: int, workers: int) -> int:
    """Documents per chunk for `total` documents and `workers` processes."""
    return max(CHUNK, min(MOST_PER_CHUNK, -(-total // (CHUNKS_PER_WORKER * workers))))


def write_slip_pdfs(
    documents: Sequence[tuple[str, TaxSlipDocument]],
    folder: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write each (file name, content) of `year_slip_documents` as a PDF in `folder`: how
    many files. No database: the unit of work that read them may be closed (a long read
    would hold the SQLite file's checkpoints back while the PDFs are rendered).

    `progress(done, total)` is called as files are written. Raises OSError when a file
    cannot be written, and whatever a worker raised (BrokenProcessPool if one died).
    """
    folder.mkdir(parents=True, exist_ok=True)
    total = len(documents)
    count = workers or default_workers()
    if count == 1 or total < 2 * CHUNK:
        written = 0
        for name, document in documents:
            written += _write_chunk(folder, [(name, document)])
            if progress is not None and (written % 100 == 0 or written == total):
                progress(written, total)
        return written
    size = chunk_size(total, count)
    written = 0
    # spawn: a fresh interpreter, never a fork of one holding database connections.
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        pending: set[Future[int]] = {
            pool.submit(_write_chunk, folder, list(documents[start : start + size]))
            for start in range(0, total, size)
        }
        try:
            while pending:
                done, pending = wait(pending, return_when=FIRST_EXCEPTION)
                for future in done:
                    written += future.result()
                if progress is not None:
                    progress(written, total)
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    if written != total:  # pragma: no cover - every chunk returns its length or raises
        raise RuntimeError(f"{total - written} slip PDFs not written")
    return written


def _write_chunk(folder: Path, chunk: list[tuple[str, TaxSlipDocument]]) -> int:
    """Render and write a chunk's files (in a worker process, or the parent alone)."""
    from registrar_tui.reports.tax_slip import render_tax_slips

    for name, document in chunk:
        (folder / name).write_bytes(render_tax_slips(document))
    return len(chunk)
