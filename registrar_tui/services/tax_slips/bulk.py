"""A year's student PDFs written in bulk: read in one pass, rendered in worker processes.

Rendering a slip PDF is reportlab's work (about nine tenths of a PDF's time, the rest its
queries when read student by student): the contents of every PDF are read first in a few
queries per 1,000 students (`year_slip_documents`), then rendered by `workers` processes
(each one registers the fonts once and keeps their subsets: reports/common.py caches them),
the parent writing each file as it comes back, in order, and reporting progress.

The PDFs are renderings of the slip rows, which `build_slips` wrote in one transaction
before: a file that failed to be written is written again by running the command again
(the rows never change, so neither does the file).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from registrar_tui.reports.tax_slip import TaxSlipDocument

CHUNK = 16
"""Documents sent to a worker at a time: few round trips, progress still smooth."""


def default_workers() -> int:
    """One worker per core."""
    return max(1, os.cpu_count() or 1)


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
    cannot be written.
    """
    from registrar_tui.reports.tax_slip import render_tax_slips

    folder.mkdir(parents=True, exist_ok=True)
    total = len(documents)
    count = workers or default_workers()
    contents = [document for _name, document in documents]
    rendered: Iterator[bytes]
    if count == 1 or total < 2 * CHUNK:
        rendered = map(render_tax_slips, contents)
        return _write(folder, documents, rendered, total, progress)
    # spawn: a fresh interpreter, never a fork of one holding database connections.
    with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
        rendered = pool.map(render_tax_slips, contents, chunksize=CHUNK)
        return _write(folder, documents, rendered, total, progress)


def _write(
    folder: Path,
    documents: Sequence[tuple[str, TaxSlipDocument]],
    rendered: Iterator[bytes],
    total: int,
    progress: Callable[[int, int], None] | None,
) -> int:
    written = 0
    for (name, _document), pdf in zip(documents, rendered, strict=True):
        (folder / name).write_bytes(pdf)
        written += 1
        if progress is not None and (written % 100 == 0 or written == total):
            progress(written, total)
    return written
