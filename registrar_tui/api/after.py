"""What follows an answer, off the request's path: the audit of each call, and the
receipt of an online payment (its PDF saved, the e-mail queued).

Each is a `Backlog`: a queue and one thread of this process that takes what is waiting
in batches. The answer never waits for them:

- the audit of the calls is written in one transaction per batch (the audit chain is
  locked once for many calls instead of once per call);
- a receipt's handover is recorded in the payment's own transaction
  (services/outbox/handover.py): if the process stops before its turn, nothing is lost,
  `registrar-tui receipts resume` or the counter's pending receipts complete it, once.

Stopping the server (`lifespan` in api/app.py) waits for the audit to be written, and for
the receipts at most RECEIPTS_GRACE seconds: those still waiting stay pending in the
database (said in the log) for `registrar-tui receipts resume`. A batch that fails (the
database unreachable) is retried, then logged with what it held: never dropped without
a word.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

Item = TypeVar("Item")

log = logging.getLogger(__name__)

BATCH = 200
"""At most this many items per batch (one transaction for the audit)."""
ATTEMPTS = 5
RETRY_SECONDS = 0.5


class Backlog(Generic[Item]):
    """Items handled in order, in batches, by a thread of its own (started at the first)."""

    def __init__(
        self, name: str, handle: Callable[[list[Item]], None], *, linger: float = 0.0
    ) -> None:
        self.name = name
        self._handle = handle
        self._linger = linger
        self._hurry = threading.Event()
        """Set while someone drains the backlog: no lingering then."""
        """Seconds a batch waits for more items after its first (at most BATCH in all):
        fewer, larger batches where each takes a lock every writer waits for."""
        self._queue: queue.Queue[Item] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def put(self, item: Item) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
                self._thread.start()
        self._queue.put(item)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every item put so far has been handled (or logged as failed), or
        `timeout` seconds; whether the backlog is empty."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self._hurry.set()
        try:
            return self._wait_done(deadline)
        finally:
            self._hurry.clear()

    def _wait_done(self, deadline: float | None) -> bool:
        with self._queue.all_tasks_done:
            while self._queue.unfinished_tasks:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._queue.all_tasks_done.wait(left)
        return True

    def waiting(self) -> int:
        """How many items are not handled yet."""
        return self._queue.unfinished_tasks

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            if self._linger:
                self._hurry.wait(self._linger)  # at once when someone drains
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._handle_with_retries(batch)
            finally:
                for _item in batch:
                    self._queue.task_done()

    def _handle_with_retries(self, batch: list[Item]) -> None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._handle(batch)
            except Exception:
                if attempt == ATTEMPTS:
                    log.exception("%s: %d item(s) not handled: %r", self.name, len(batch), batch)
                    return
                time.sleep(RETRY_SECONDS * attempt)
            else:
                return
