"""At start-up: finish handing over the receipts a crash left pending, and say so.

A payment's receipt handover (original PDF, e-mail) is written in the payment's own
transaction; when the app (or the machine) died before it was done, the next start
completes it in a thread worker (`services.outbox.handover.resume_handovers`, exactly once
each) and a notice names the receipts completed, or those still pending and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from registrar_tui.i18n import ngettext
from registrar_tui.screens.widgets.base import WorkFailed

if TYPE_CHECKING:
    from textual.app import App

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.outbox.handover import ResumedHandover, ResumeReport

SHOWN_NUMBERS = 6
"""Receipt numbers named in the notice; more are counted ("…")."""
NOTICE_SECONDS = 30


def _numbers(items: tuple[ResumedHandover, ...]) -> str:
    numbers = [item.receipt_number for item in items[:SHOWN_NUMBERS]]
    if len(items) > SHOWN_NUMBERS:
        numbers.append("…")
    return ", ".join(numbers)


def notice_lines(report: ResumeReport) -> list[tuple[str, bool]]:
    """The notices to show: (text, is_warning)."""
    lines: list[tuple[str, bool]] = []
    done = report.completed
    if done:
        lines.append(
            (
                ngettext(
                    "Reçu {numbers} laissé en suspens par un arrêt brutal : PDF original "
                    "enregistré et courriel mis en file maintenant.",
                    "{count} reçus laissés en suspens par un arrêt brutal ({numbers}) : PDF "
                    "originaux enregistrés et courriels mis en file maintenant.",
                    len(done),
                ).format(count=len(done), numbers=_numbers(done)),
                False,
            )
        )
    left = report.unfinished
    if left:
        problems = {e.translated() for item in left for e in item.handed.problems}
        lines.append(
            (
                ngettext(
                    "Reçu {numbers} toujours en suspens : {problem} Il sera repris au "
                    "prochain démarrage (ou par « registrar-tui receipts resume »).",
                    "{count} reçus toujours en suspens ({numbers}) : {problem} Ils seront "
                    "repris au prochain démarrage (ou par « registrar-tui receipts resume »).",
                    len(left),
                ).format(count=len(left), numbers=_numbers(left), problem=" ".join(problems)),
                True,
            )
        )
    return lines


def resume_pending_receipts(app: App[Any], backend: Backend) -> None:
    """Complete, in a thread worker, the receipt handovers a crash left pending."""

    def resume() -> None:
        from registrar_tui.services.documents.output import output_settings
        from registrar_tui.services.outbox.handover import resume_handovers

        try:
            report = resume_handovers(backend.database(), output_settings())
        except Exception as error:  # the app's one handler shows it, never a traceback
            app.post_message(WorkFailed(error))
            return
        # notify() posts a message: safe from this thread.
        for text, warning in notice_lines(report):
            app.notify(
                text,
                severity="warning" if warning else "information",
                timeout=NOTICE_SECONDS,
                markup=False,
            )

    app.run_worker(resume, thread=True, group="receipts-resume", exit_on_error=False)
