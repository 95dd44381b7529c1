"""`registrar-tui reconcile online FILE.csv [--from DATE --to DATE] [--json]`.

The payment processor's settlement file against the online payments posted from the
portal (services/interchange/reconcile.py; the file's columns: docs/reconcile.md). Exit
status 0 when everything matches, 1 otherwise (2: the file or the dates cannot be read).
Reading needs no sign-in, like the other listings.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, format_money, ngettext

if TYPE_CHECKING:
    from registrar_tui.services.interchange.reconcile import Difference, Reconciliation

SECTIONS = (
    ("missing", N_("Réglées par le processeur, jamais enregistrées ici")),
    ("extra", N_("Enregistrées ici, absentes du fichier")),
    ("amount_differs", N_("Montants différents")),
    ("voided_but_settled", N_("Annulées ici, mais réglées par le processeur (à rembourser)")),
    ("refunded_but_live", N_("Remboursées par le processeur, toujours enregistrées ici")),
)


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            _("date invalide « {value} » (AAAA-MM-JJ attendu).").format(value=text),
            param_hint=option,
        ) from None


def _difference_line(item: Difference) -> str:
    parts = [item.transaction_id]
    if item.settled is not None:
        parts.append(
            _("fichier : {amount} (ligne {line})").format(
                amount=format_money(item.settled.amount), line=item.settled.line
            )
        )
    if item.posted is not None:
        parts.append(
            _("reçu {number}, famille {family} : {amount}, payé le {day}").format(
                number=item.posted.receipt_number,
                family=item.posted.family_number,
                amount=format_money(item.posted.amount),
                day=format_date(item.posted.paid_on),
            )
        )
    return "  " + " — ".join(parts)


def _print_report(report: Reconciliation) -> None:
    if report.period_from is None:
        typer.echo(_("Rapprochement des paiements en ligne : toute période."))
    else:
        assert report.period_to is not None
        typer.echo(
            _("Rapprochement des paiements en ligne du {start} au {end}.").format(
                start=format_date(report.period_from), end=format_date(report.period_to)
            )
        )
    in_file = ngettext(
        "{count} transaction dans le fichier", "{count} transactions dans le fichier",
        report.file_rows,
    ).format(count=report.file_rows)  # fmt: skip
    matched = ngettext(
        "{count} concordante ({total})", "{count} concordantes ({total})", report.matched
    ).format(count=report.matched, total=format_money(report.matched_total))
    typer.echo(_("{in_file}, {matched}.").format(in_file=in_file, matched=matched))
    for name, title in SECTIONS:
        items: tuple[Difference, ...] = getattr(report, name)
        if items:
            typer.echo(_("{title} ({number}) :").format(title=_(title), number=len(items)))
            for item in items:
                typer.echo(_difference_line(item))
    if report.unreadable:
        typer.echo(
            _("{title} ({number}) :").format(
                title=_("Lignes illisibles"), number=len(report.unreadable)
            )
        )
        for problem in report.unreadable:
            typer.echo(
                "  "
                + _("ligne {line} : {problem}").format(
                    line=problem.line, problem=problem.problem.translated()
                )
            )
    typer.echo(_("Tout concorde.") if report.ok else _("Des écarts sont à régler."))


def _as_json(report: Reconciliation) -> dict[str, Any]:
    def side(item: Difference) -> dict[str, Any]:
        return {
            "transaction_id": item.transaction_id,
            "file": None
            if item.settled is None
            else {
                "line": item.settled.line,
                "amount": str(item.settled.amount),
                "date": item.settled.settled_on.isoformat() if item.settled.settled_on else None,
                "refunded": item.settled.refunded,
            },
            "posted": None
            if item.posted is None
            else {
                "receipt_number": item.posted.receipt_number,
                "family_number": item.posted.family_number,
                "amount": str(item.posted.amount),
                "paid_on": item.posted.paid_on.isoformat(),
                "voided": item.posted.voided,
            },
        }

    return {
        "ok": report.ok,
        "from": report.period_from.isoformat() if report.period_from else None,
        "to": report.period_to.isoformat() if report.period_to else None,
        "file_rows": report.file_rows,
        "matched": report.matched,
        "matched_total": str(report.matched_total),
        **{name: [side(item) for item in getattr(report, name)] for name, _title in SECTIONS},
        "unreadable": [
            {"line": p.line, "field": p.problem.field, "message": p.problem.translated()}
            for p in report.unreadable
        ],
    }


def register(app: typer.Typer) -> None:
    """Add `reconcile online` to `app`."""
    reconcile_app = typer.Typer(help=_("Rapprochements avec les fichiers des partenaires."))
    app.add_typer(reconcile_app, name="reconcile")

    @reconcile_app.command(
        "online",
        help=_(
            "Rapproche le fichier de règlement du processeur (CSV) des paiements en ligne "
            "enregistrés, par numéro de transaction ; code de sortie 1 s'il y a des écarts."
        ),
    )
    def online(
        ctx: typer.Context,
        file: Annotated[
            Path, typer.Argument(help=_("Fichier de règlement (CSV, voir docs/reconcile.md)."))
        ],
        start: Annotated[
            str | None, typer.Option("--from", help=_("Premier jour (AAAA-MM-JJ)."))
        ] = None,
        end: Annotated[
            str | None, typer.Option("--to", help=_("Dernier jour (AAAA-MM-JJ)."))
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help=_("Écrire le rapport en JSON."))
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.interchange.reconcile import reconcile_online

        period_from, period_to = _day(start, "--from"), _day(end, "--to")
        try:
            data = file.read_bytes()
        except OSError as error:
            echo_error(
                _("Lecture impossible de {path} : {reason}").format(
                    path=file, reason=error.strerror or error
                )
            )
            raise typer.Exit(2) from None
        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    report = reconcile_online(
                        uow, data, period_from=period_from, period_to=period_to
                    )
            finally:
                database.dispose()
        if as_json:
            typer.echo(json.dumps(_as_json(report), ensure_ascii=False, indent=1))
        else:
            _print_report(report)
        if not report.ok:
            raise typer.Exit(1)
