"""The receipts of the portal's online payments, handed over by a process of their own.

Under `registrar-tui serve-api`, the workers answer the portal and a payment's receipt
handover (its PDF built and saved, the e-mail to the payer queued: more CPU than the
payment's own posting) is left pending in the payment's transaction, as always
(services/outbox/handover.py). This follower, started by `serve-api` beside its workers
at a lower CPU priority (nice +10), completes those handovers oldest first, each exactly
once: on a busy machine the answers go first and the receipts follow as soon as there is
a moment, never lost (a stopped server leaves them pending for its next start or for
`registrar-tui receipts resume`).

A handover that fails (the documents folder not writable…) is tried again after
RETRY_SECONDS, not in a loop; the counter's own receipts are not its business (method
« en ligne » only). Without a follower (the application built in a test, or over an
opened database), the workers hand receipts over themselves (api/app.py).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from multiprocessing.synchronize import Event

from registrar_tui.db import Database

ENV_FOLLOWER = "REGISTRAR_API_RECEIPTS_FOLLOWER"
"""Set by `serve-api` for its workers: "1" when the follower hands the receipts over."""
POLL_SECONDS = 0.25
"""How often the follower looks for receipts to hand over when it found none."""
RETRY_SECONDS = 30.0
NICENESS = 10
BATCH = 50

log = logging.getLogger(__name__)


def follow_receipts(url: str, stop: Event, server: int | None = None) -> None:
    """Hand the pending online payments' receipts over until `stop` is set (the process's
    target: `serve-api` starts it and sets `stop` when its workers have stopped, then
    gives it the current receipt's time to finish) or the server is gone."""
    from registrar_tui.services.documents.output import output_settings
    from registrar_tui.services.outbox.handover import hand_over_receipt, pending_handovers

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the server's; it sets `stop`
    # The server's pid from the server itself: read here, a server already dead would
    # make this process's parent the one that adopted it, and it would never stop.
    server = os.getppid() if server is None else server
    os.nice(NICENESS)
    database = Database.open(url)
    settings = output_settings()
    failed: dict[int, float] = {}
    """Payments whose handover failed, and when to try them again."""
    try:
        # A server killed outright (SIGKILL, a crash) never sets `stop`: its follower
        # stops too, once it sees it has another parent, rather than run on alone.
        while not stop.is_set() and os.getppid() == server:
            with database.read() as uow:
                pending = pending_handovers(uow, online_only=True, limit=BATCH)
            now = time.monotonic()
            due = [item for item in pending if failed.get(item.payment_id, 0.0) <= now]
            for item in due:
                if stop.is_set():
                    break
                handed = hand_over_receipt(database, item.payment_id, settings, print_now=False)
                if handed.completed:
                    failed.pop(item.payment_id, None)
                else:
                    failed[item.payment_id] = time.monotonic() + RETRY_SECONDS
                    log.warning(
                        "receipt %s still pending: %s",
                        item.receipt_number,
                        "; ".join(str(problem) for problem in handed.problems),
                    )
            if not due:
                stop.wait(POLL_SECONDS)
    finally:
        database.dispose()
