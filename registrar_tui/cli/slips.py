"""`registrar-tui slips …`: the year's tuition tax slips (Relevé 8 and T2202).

    registrar-tui slips codes SCOL EXAM --as admin        # fee codes that are tuition
    registrar-tui slips programme PIANOC --post-secondary --full-time --as admin
    registrar-tui slips build --year 2026 --dry-run --as admin
    registrar-tui slips build --year 2026 --as admin --out releves-2026/
    registrar-tui slips list --year 2026

An amendment or a cancellation is never typed: after a correction (a payment voided, a
SIN added, a fee waived) `slips build` again issues the « A » or « D » slips needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from registrar_tui.cli.groups import _as_option, _reading, _signed_in, _stdin_option
from registrar_tui.cli.support import db_option, open_checked, url_from, user_errors
from registrar_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from registrar_tui.db import UnitOfWork
    from registrar_tui.services.tax_slips.build import SlipRun

STATUS_WORDS = {"R": "original", "A": "amended", "D": "cancelled"}


def _print_run(run: SlipRun) -> None:
    for action in run.actions:
        amends = f"\t#{action.amends_number}" if action.amends_number else "\t"
        number = f"{action.number:06d}" if action.number else "—"
        typer.echo(
            f"{action.kind.value}\t{action.status.value}\t{number}{amends}\t"
            f"{action.student_number}\t{action.student_name}\t{action.eligible_tuition}"
        )
    for missing in run.missing_sin:
        typer.echo(
            _("Sans NAS : {number} {name}").format(
                number=missing.student_number, name=missing.student_name
            )
        )


def register(app: typer.Typer) -> None:
    slips = typer.Typer(
        help=_("Relevés fiscaux (relevé 8, T2202) : codes admissibles, production, liste."),
        no_args_is_help=True,
    )
    app.add_typer(slips, name="slips")

    @slips.command(
        "codes", help=_("Marque des codes de frais comme frais de scolarité admissibles.")
    )
    def slips_codes(
        ctx: typer.Context,
        codes: Annotated[list[str], typer.Argument(metavar="CODE…")],
        remove: Annotated[
            bool, typer.Option("--remove", help=_("Retirer ces codes au lieu de les ajouter."))
        ] = False,
        as_user: Annotated[str, _as_option()] = "",
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.tax_slips.setup import set_fee_codes_eligible

        marked = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: set_fee_codes_eligible(uow, user, codes, eligible=not remove),
        )
        typer.echo(_("Codes admissibles : {codes}").format(codes=", ".join(sorted(marked)) or "—"))

    @slips.command("programme", help=_("Dit si une discipline est postsecondaire, à temps plein."))
    def slips_programme(
        ctx: typer.Context,
        code: Annotated[str, typer.Argument(metavar="DISCIPLINE")],
        post_secondary: Annotated[
            bool, typer.Option("--post-secondary/--not-post-secondary")
        ] = False,
        full_time: Annotated[bool, typer.Option("--full-time/--part-time")] = False,
        as_user: Annotated[str, _as_option()] = "",
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.tax_slips.setup import set_programme_flags

        flags = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: set_programme_flags(
                uow, user, code, post_secondary=post_secondary, full_time=full_time
            ),
        )
        typer.echo(
            f"{flags.code}\tpost_secondary={flags.is_post_secondary}\tfull_time={flags.is_full_time}"
        )

    @slips.command(
        "build",
        help=_(
            "Produit les relevés d'une année (originaux, modifiés, annulés), leurs PDF, le "
            "sommaire et son CSV (--dry-run : montre seulement ce qui serait produit)."
        ),
    )
    def slips_build(
        ctx: typer.Context,
        year: Annotated[int, typer.Option("--year", help=_("Année civile des relevés."))],
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help=_("Ne rien écrire : lister ce qui serait produit.")),
        ] = False,
        out: Annotated[
            Path | None,
            typer.Option("--out", help=_("Dossier des PDF et du CSV (défaut : releves-ANNÉE).")),
        ] = None,
        as_user: Annotated[str, _as_option()] = "",
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.tax_slips.build import build_slips

        def change(uow: UnitOfWork, user: int) -> Any:
            from rich.progress import Progress

            with Progress(transient=True) as bar:
                task = bar.add_task(_("Calcul des relevés"), total=None)

                def progress(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                return build_slips(uow, user, year, dry_run=dry_run, progress=progress)

        run = _signed_in(ctx, db, as_user, password_stdin, change)
        _print_run(run)
        summary = ngettext("{count} relevé", "{count} relevés", len(run.actions)).format(
            count=len(run.actions)
        )
        missing = ngettext(
            "{count} élève sans NAS", "{count} élèves sans NAS", len(run.missing_sin)
        ).format(count=len(run.missing_sin))
        if dry_run:
            typer.echo(
                _("Essai à blanc {year} : {slips}, {missing} ; rien n'est écrit.").format(
                    year=year, slips=summary, missing=missing
                )
            )
            return
        folder = out or Path(f"releves-{year}")
        written = _write_documents(
            ctx, db, year, folder, sorted({a.student_id for a in run.actions})
        )
        typer.echo(
            _("Relevés {year} : {slips}, {missing} ; {files} fichiers dans {folder}.").format(
                year=year, slips=summary, missing=missing, files=written, folder=folder
            )
        )

    @slips.command(
        "list", help=_("Liste les relevés d'une année (type, code, n°, élève, montant).")
    )
    def slips_list(
        ctx: typer.Context,
        year: Annotated[int, typer.Option("--year", help=_("Année civile des relevés."))],
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.tax_slips.documents import slip_list

        for row in _reading(ctx, db, lambda uow: slip_list(uow, year)):
            amends = f"#{row.amends_number}" if row.amends_number else ""
            typer.echo(
                f"{row.kind.value}\t{row.status.value}\t{row.number:06d}\t{amends}\t"
                f"{row.student_number}\t{row.student_name}\t{row.eligible_tuition}"
            )


def _write_documents(
    ctx: typer.Context, db: str | None, year: int, folder: Path, student_ids: list[int]
) -> int:
    """Each student's PDF, the summary PDF and CSV, in `folder`: how many files."""
    from rich.progress import Progress
    from sqlmodel import select

    from registrar_tui.models import Establishment
    from registrar_tui.services.tax_slips.bulk import write_slip_pdfs
    from registrar_tui.services.tax_slips.documents import (
        students_without_sin,
        summary_csv,
        summary_pdf,
        year_slip_documents,
    )

    folder.mkdir(parents=True, exist_ok=True)
    with user_errors():
        database = open_checked(url_from(ctx, db))
        try:
            with database.read() as uow:
                documents = year_slip_documents(uow, year, student_ids)
                establishment_id = uow.session.exec(select(Establishment.id)).first()
                summary = (
                    None
                    if establishment_id is None
                    else summary_pdf(uow, year, establishment_id, students_without_sin(uow, year))
                )
                csv = summary_csv(uow, year)
        finally:
            database.dispose()
        with Progress(transient=True) as bar:
            task = bar.add_task(_("PDF des relevés"), total=len(documents))

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            written = write_slip_pdfs(documents, folder, progress=progress)
        if summary is not None:
            (folder / summary.filename).write_bytes(summary.pdf)
            written += 1
        (folder / f"sommaire-releves-{year}.csv").write_bytes(csv)
        written += 1
    return written
