"""Course groups and terms from the command line (issue #14 §2).

    registrar-tui groups list --term HIV-2027 [--establishment MTL] [--discipline PIA] [--json]
    registrar-tui groups add --term HIV-2027 --establishment MTL --discipline PIA --section 01 \\
        --teacher "Marie Tremblay" --weekday 2 --starts 16:00 --ends 17:00 --room B-201 \\
        --capacity 8 --level Débutant --as registraire
    registrar-tui groups edit GROUP_ID [--teacher …] [--starts …] … --as registraire
    registrar-tui groups close|reopen GROUP_ID --as registraire
    registrar-tui groups teachers [--json]
    registrar-tui groups teacher-add --first-name Émile --last-name Côté [--email …] --as …
    registrar-tui discipline list [--json]
    registrar-tui discipline add PIA --fr Piano --en Piano --kind instrument --as registraire
    registrar-tui term list [--json]
    registrar-tui term create HIV-2027 --starts 2027-01-11 --ends 2027-04-30 \\
        --payment-due 2027-02-01 [--reenrolment-opens …] [--reenrolment-closes …] \\
        [--confirmation-deadline …] --as registraire
    registrar-tui term rollover --from AUT-2026 --to HIV-2027 [--dry-run] [--as registraire]

Lists print one line per row, fields separated by tabs (as `search` does), or a JSON
array with `--json`; reading needs no sign-in. A change signs in `--as` a registrar or an
administrator (password asked, or read with `--password-stdin`) and is made by the
services of services/school_year in one audited transaction. A refusal prints the option
it is about and its message, exit status 1. `term set` (the administrator's dates) stays
in cli/reference.py, which adds these term commands to its `term` group.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, format_date, ngettext
from registrar_tui.models.base import DisciplineKind
from registrar_tui.services.core.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from registrar_tui.db import UnitOfWork
    from registrar_tui.services.school_year.groups import GroupRow
    from registrar_tui.services.school_year.rollover import RolloverPlan
    from registrar_tui.services.school_year.terms import TermRow

T = TypeVar("T")

OPTION_OF = {
    "term": "--term",
    "establishment": "--establishment",
    "discipline": "--discipline",
    "section": "--section",
    "teacher": "--teacher",
    "weekday": "--weekday",
    "starts_at": "--starts",
    "ends_at": "--ends",
    "room": "--room",
    "capacity": "--capacity",
    "level": "--level",
    "code": "CODE",
    "starts_on": "--starts",
    "ends_on": "--ends",
    "payment_due_on": "--payment-due",
    "reenrolment_opens_on": "--reenrolment-opens",
    "reenrolment_closes_on": "--reenrolment-closes",
    "confirmation_deadline": "--confirmation-deadline",
    "first_name": "--first-name",
    "last_name": "--last-name",
    "email": "--email",
    "source": "--from",
    "target": "--to",
    "group": "GROUP_ID",
    "name_fr": "--fr",
    "name_en": "--en",
    "kind": "--kind",
}
DISCIPLINE_KINDS = ", ".join(kind.value for kind in DisciplineKind)
PROGRESS_FROM = 20
"""A rollover creating at least this many groups shows a progress bar."""


def _refused(error: DomainError) -> typer.Exit:
    option = OPTION_OF.get(error.field or "")
    echo_error(f"{option} : {error.translated()}" if option else error.translated())
    return typer.Exit(1)


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="USERNAME",
        help=_("Registraire ou administrateur qui fait le changement (mot de passe demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
    )


def _json_option() -> Any:
    return typer.Option("--json", help=_("Écrire un tableau JSON au lieu de lignes à tabulations."))


def _signed_in(
    ctx: typer.Context,
    db: str | None,
    as_user: str,
    password_stdin: bool,
    change: Callable[[UnitOfWork, int], T],
) -> T:
    """Sign `as_user` in (audited), then make the change in one write unit of work."""
    from registrar_tui.cli.fees import _password
    from registrar_tui.services.staff.auth import authenticate

    with user_errors():
        database = open_checked(url_from(ctx, db))
        try:
            password = _password(as_user, password_stdin)
            with database.write() as uow:
                user_id = authenticate(uow, as_user, password).id
            assert user_id is not None
            try:
                with database.write() as uow:
                    return change(uow, user_id)
            except DomainError as error:
                raise _refused(error) from None
        finally:
            database.dispose()


def _reading(ctx: typer.Context, db: str | None, read: Callable[[UnitOfWork], T]) -> T:
    with user_errors():
        database = open_checked(url_from(ctx, db))
        try:
            try:
                with database.read() as uow:
                    return read(uow)
            except DomainError as error:
                raise _refused(error) from None
        finally:
            database.dispose()


def _hhmm(value: Any) -> str:
    return value.strftime("%H:%M") if value is not None else ""


def group_fields(row: GroupRow) -> dict[str, Any]:
    """A group as `groups list` prints it (the keys are the JSON's)."""
    return {
        "id": row.course_id,
        "term": row.term_code,
        "establishment": row.establishment_code,
        "discipline": row.discipline.code,
        "section": row.section,
        "teacher": row.teacher or "",
        "weekday": row.weekday or "",
        "starts": _hhmm(row.starts_at),
        "ends": _hhmm(row.ends_at),
        "room": row.room,
        "level": row.level,
        "seats_taken": row.seats_taken,
        "capacity": row.capacity,
        "closed": row.is_closed,
        "rolled_from": row.rolled_from_id or "",
    }


def term_fields(row: TermRow) -> dict[str, Any]:
    """A term as `term list` prints it."""

    def day(value: Any) -> str:
        return value.isoformat() if value is not None else ""

    return {
        "code": row.code,
        "starts": day(row.starts_on),
        "ends": day(row.ends_on),
        "payment_due": day(row.payment_due_on),
        "reenrolment_opens": day(row.reenrolment_opens_on),
        "reenrolment_closes": day(row.reenrolment_closes_on),
        "confirmation_deadline": day(row.confirmation_deadline),
        "groups": row.group_count,
        "reenrolment_open": row.reenrolment_open,
    }


def _print_rows(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        typer.echo(
            "\t".join(
                (_("oui") if value else _("non")) if isinstance(value, bool) else str(value)
                for value in row.values()
            )
        )


def _group_line(row: GroupRow) -> str:
    from registrar_tui.i18n import current_language

    teacher = row.teacher or _("sans professeur")
    return _("Groupe {id} : {discipline} {section} ({site}, {term}), {teacher}, {seats}.").format(
        id=row.course_id,
        discipline=row.discipline.in_language(current_language()),
        section=row.section,
        site=row.establishment_code,
        term=row.term_code,
        teacher=teacher,
        seats=_("{taken}/{capacity} places prises").format(
            taken=row.seats_taken, capacity=row.capacity
        ),
    )


def _section_option() -> Any:
    return typer.Option("--section", help=_("Groupe (01, A…)."))


def _teacher_option() -> Any:
    return typer.Option(
        "--teacher", help=_("Professeur : son numéro ou son nom complet (« aucun » : retirer).")
    )


def _weekday_option() -> Any:
    return typer.Option("--weekday", help=_("Jour : 1 (lundi) à 7 (dimanche)."))


def _starts_option() -> Any:
    return typer.Option("--starts", metavar="HH:MM", help=_("Heure de début."))


def _ends_option() -> Any:
    return typer.Option("--ends", metavar="HH:MM", help=_("Heure de fin."))


def _room_option() -> Any:
    return typer.Option("--room", help=_("Local."))


def _level_option() -> Any:
    return typer.Option("--level", help=_("Niveau."))


def _capacity_option() -> Any:
    return typer.Option("--capacity", help=_("Capacité (places)."))


def register(app: typer.Typer) -> None:
    """Add the `groups` commands to `app` (the term commands: `register_term_commands`)."""
    groups = typer.Typer(
        help=_("Groupes-cours d'une session : liste, création, modification, fermeture."),
        no_args_is_help=True,
    )
    app.add_typer(groups, name="groups")
    discipline = typer.Typer(help=_("Disciplines enseignées : liste, ajout."), no_args_is_help=True)
    app.add_typer(discipline, name="discipline")
    register_discipline_commands(discipline)

    @groups.command("list", help=_("Liste les groupes d'une session (id, session, site, …)."))
    def groups_list(
        ctx: typer.Context,
        term: Annotated[str, typer.Option("--term", metavar="CODE", help=_("Session."))],
        establishment: Annotated[
            str | None, typer.Option("--establishment", metavar="CODE", help=_("Établissement."))
        ] = None,
        discipline: Annotated[
            str | None, typer.Option("--discipline", metavar="CODE", help=_("Discipline."))
        ] = None,
        as_json: Annotated[bool, _json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year import groups as service
        from registrar_tui.services.school_year.terms import term_by_code

        def read(uow: UnitOfWork) -> list[GroupRow]:
            term_id = term_by_code(uow, term).id
            assert term_id is not None
            group_filter = service.GroupFilter(
                term_id=term_id,
                establishment_id=(
                    service.establishment_id_by_code(uow, establishment) if establishment else None
                ),
                discipline_id=(
                    service.discipline_id_by_code(uow, discipline) if discipline else None
                ),
            )
            rows: list[GroupRow] = []
            offset = 0
            while True:
                page = service.list_groups(uow, group_filter, offset=offset, limit=500)
                rows.extend(page.rows)
                if not page.has_more:
                    return rows
                offset += page.limit

        rows = _reading(ctx, db, read)
        _print_rows([group_fields(row) for row in rows], as_json)
        if not rows and not as_json:
            echo_error(_("Aucun groupe."))

    def _draft(
        uow: UnitOfWork,
        current: GroupRow | None,
        *,
        establishment: str | None,
        discipline: str | None,
        section: str | None,
        teacher: str | None,
        weekday: str | None,
        starts: str | None,
        ends: str | None,
        room: str | None,
        capacity: str | None,
        level: str | None,
    ) -> Any:
        """The form as typed: options given replace the group's values (`aucun` clears
        the teacher)."""
        from registrar_tui.services.school_year import groups as service
        from registrar_tui.services.school_year.teachers import find_teacher

        def keep(given: str | None, stored: Any) -> str:
            if given is not None:
                return given
            return "" if stored is None else str(stored)

        teacher_id = current.teacher_id if current is not None else None
        if teacher is not None:
            cleared = teacher.strip().lower() in {"", "aucun", "none", "-"}
            teacher_id = None if cleared else find_teacher(uow, teacher)
        return service.GroupDraft(
            establishment_id=(
                service.establishment_id_by_code(uow, establishment) if establishment else None
            ),
            discipline_id=(
                service.discipline_id_by_code(uow, discipline)
                if discipline
                else (current.discipline.discipline_id if current is not None else None)
            ),
            section=keep(section, current.section if current else None),
            teacher_id=teacher_id,
            weekday=keep(weekday, current.weekday if current else None),
            starts_at=keep(starts, _hhmm(current.starts_at) if current else None),
            ends_at=keep(ends, _hhmm(current.ends_at) if current else None),
            room=keep(room, current.room if current else None),
            capacity=keep(capacity, current.capacity if current else None),
            level=keep(level, current.level if current else None),
        )

    @groups.command("add", help=_("Crée un groupe (registraire ou administrateur)."))
    def groups_add(
        ctx: typer.Context,
        term: Annotated[str, typer.Option("--term", metavar="CODE", help=_("Session."))],
        establishment: Annotated[
            str, typer.Option("--establishment", metavar="CODE", help=_("Établissement."))
        ],
        discipline: Annotated[
            str, typer.Option("--discipline", metavar="CODE", help=_("Discipline."))
        ],
        as_user: Annotated[str, _as_option()],
        section: Annotated[str, _section_option()] = "01",
        teacher: Annotated[str | None, _teacher_option()] = None,
        weekday: Annotated[str | None, _weekday_option()] = None,
        starts: Annotated[str | None, _starts_option()] = None,
        ends: Annotated[str | None, _ends_option()] = None,
        room: Annotated[str | None, _room_option()] = None,
        capacity: Annotated[str, _capacity_option()] = "20",
        level: Annotated[str | None, _level_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.groups import create_group
        from registrar_tui.services.school_year.terms import term_by_code

        def change(uow: UnitOfWork, user: int) -> GroupRow:
            term_id = term_by_code(uow, term).id
            assert term_id is not None
            draft = _draft(
                uow,
                None,
                establishment=establishment,
                discipline=discipline,
                section=section,
                teacher=teacher,
                weekday=weekday,
                starts=starts,
                ends=ends,
                room=room,
                capacity=capacity,
                level=level,
            )
            return create_group(uow, actor_id=user, term_id=term_id, draft=draft)

        row = _signed_in(ctx, db, as_user, password_stdin, change)
        typer.echo(_("Créé. ") + _group_line(row))

    @groups.command("edit", help=_("Modifie un groupe (les options omises ne changent pas)."))
    def groups_edit(
        ctx: typer.Context,
        group_id: Annotated[int, typer.Argument(metavar="GROUP_ID", help=_("Numéro du groupe."))],
        as_user: Annotated[str, _as_option()],
        discipline: Annotated[
            str | None, typer.Option("--discipline", metavar="CODE", help=_("Discipline."))
        ] = None,
        section: Annotated[str | None, _section_option()] = None,
        teacher: Annotated[str | None, _teacher_option()] = None,
        weekday: Annotated[str | None, _weekday_option()] = None,
        starts: Annotated[str | None, _starts_option()] = None,
        ends: Annotated[str | None, _ends_option()] = None,
        room: Annotated[str | None, _room_option()] = None,
        capacity: Annotated[str | None, _capacity_option()] = None,
        level: Annotated[str | None, _level_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.groups import group_row, update_group

        def change(uow: UnitOfWork, user: int) -> GroupRow:
            draft = _draft(
                uow,
                group_row(uow, group_id),
                establishment=None,
                discipline=discipline,
                section=section,
                teacher=teacher,
                weekday=weekday,
                starts=starts,
                ends=ends,
                room=room,
                capacity=capacity,
                level=level,
            )
            return update_group(uow, actor_id=user, course_id=group_id, draft=draft)

        row = _signed_in(ctx, db, as_user, password_stdin, change)
        typer.echo(_("Modifié. ") + _group_line(row))

    @groups.command(
        "close", help=_("Ferme un groupe aux nouvelles inscriptions (ses élèves restent).")
    )
    def groups_close(
        ctx: typer.Context,
        group_id: Annotated[int, typer.Argument(metavar="GROUP_ID", help=_("Numéro du groupe."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.groups import close_group

        row = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: close_group(uow, actor_id=user, course_id=group_id),
        )
        typer.echo(_("Fermé. ") + _group_line(row))
        if row.seats_taken:
            typer.echo(
                ngettext(
                    "{count} élève y reste inscrit.",
                    "{count} élèves y restent inscrits.",
                    row.seats_taken,
                ).format(count=row.seats_taken)
            )

    @groups.command("reopen", help=_("Rouvre un groupe fermé aux inscriptions."))
    def groups_reopen(
        ctx: typer.Context,
        group_id: Annotated[int, typer.Argument(metavar="GROUP_ID", help=_("Numéro du groupe."))],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.groups import reopen_group

        row = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: reopen_group(uow, actor_id=user, course_id=group_id),
        )
        typer.echo(_("Rouvert. ") + _group_line(row))

    @groups.command("teachers", help=_("Liste les professeurs (numéro, prénom, nom, courriel)."))
    def teachers_list(
        ctx: typer.Context,
        as_json: Annotated[bool, _json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.teachers import list_teachers

        rows = _reading(ctx, db, list_teachers)
        _print_rows(
            [
                {
                    "id": t.teacher_id,
                    "first_name": t.first_name,
                    "last_name": t.last_name,
                    "email": t.email or "",
                }
                for t in rows
            ],
            as_json,
        )

    @groups.command("teacher-add", help=_("Ajoute un professeur (registraire ou administrateur)."))
    def teacher_add(
        ctx: typer.Context,
        first_name: Annotated[str, typer.Option("--first-name", help=_("Prénom."))],
        last_name: Annotated[str, typer.Option("--last-name", help=_("Nom."))],
        as_user: Annotated[str, _as_option()],
        email: Annotated[str, typer.Option("--email", help=_("Courriel."))] = "",
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.teachers import add_teacher

        row = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: add_teacher(
                uow, actor_id=user, first_name=first_name, last_name=last_name, email=email
            ),
        )
        typer.echo(
            _("Professeur {id} ajouté : {name}.").format(id=row.teacher_id, name=row.full_name)
        )


def register_discipline_commands(discipline: typer.Typer) -> None:
    """Add `discipline list` and `discipline add` to the `discipline` group."""

    @discipline.command("list", help=_("Liste les disciplines (code, nom fr, nom en, type)."))
    def discipline_list(
        ctx: typer.Context,
        as_json: Annotated[bool, _json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.disciplines import list_disciplines

        rows = _reading(ctx, db, list_disciplines)
        _print_rows(
            [
                {"code": d.code, "name_fr": d.name_fr, "name_en": d.name_en, "kind": d.kind.value}
                for d in rows
            ],
            as_json,
        )

    @discipline.command("add", help=_("Ajoute une discipline (registraire ou administrateur)."))
    def discipline_add(
        ctx: typer.Context,
        code: Annotated[
            str, typer.Argument(metavar="CODE", help=_("Code de la discipline, par exemple PIA."))
        ],
        name_fr: Annotated[str, typer.Option("--fr", help=_("Nom en français."))],
        name_en: Annotated[str, typer.Option("--en", help=_("Nom en anglais."))],
        kind: Annotated[
            str, typer.Option("--kind", help=_("Type : {kinds}.").format(kinds=DISCIPLINE_KINDS))
        ],
        as_user: Annotated[str, _as_option()],
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.disciplines import add_discipline

        try:
            chosen = DisciplineKind(kind.strip().lower())
        except ValueError:
            raise _refused(
                InvalidInput(
                    N_("Type inconnu « {kind} » : {kinds}."),
                    field="kind",
                    kind=kind,
                    kinds=DISCIPLINE_KINDS,
                )
            ) from None
        row = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: add_discipline(
                uow, actor_id=user, code=code, name_fr=name_fr, name_en=name_en, kind=chosen
            ),
        )
        typer.echo(
            _("Discipline {code} ajoutée : {fr} / {en} ({kind}).").format(
                code=row.code, fr=row.name_fr, en=row.name_en, kind=row.kind.value
            )
        )


def _print_plan(plan: RolloverPlan, *, dry_run: bool) -> None:
    from registrar_tui.i18n import current_language
    from registrar_tui.services.school_year.rollover import SKIP_LABELS

    language = current_language()
    for item in plan.to_create:
        group = item.source
        typer.echo(
            "\t".join(
                (
                    _("à créer") if dry_run else _("créé"),
                    group.establishment_code,
                    group.discipline.in_language(language),
                    group.section,
                    group.teacher or "",
                    str(group.weekday or ""),
                    _hhmm(group.starts_at),
                    _hhmm(group.ends_at),
                    group.room,
                    str(group.capacity),
                )
            )
        )
    for item in plan.skipped:
        group = item.source
        assert item.skipped is not None
        typer.echo(
            "\t".join(
                (
                    _("ignoré"),
                    group.establishment_code,
                    group.discipline.in_language(language),
                    group.section,
                    _(SKIP_LABELS[item.skipped]),
                )
            )
        )


def _date(name: str, help_text: str) -> Any:
    return typer.Option(name, metavar=_("AAAA-MM-JJ"), help=help_text, show_default=False)


def register_term_commands(term: typer.Typer) -> None:
    """Add `term list`, `term create` and `term rollover` to the `term` group
    (created by cli/reference.py, which keeps `term set`)."""

    @term.command("list", help=_("Liste les sessions : dates, échéance, réinscription, groupes."))
    def term_list(
        ctx: typer.Context,
        as_json: Annotated[bool, _json_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.terms import list_terms

        rows = _reading(ctx, db, list_terms)
        _print_rows([term_fields(row) for row in rows], as_json)

    @term.command("create", help=_("Crée une session (registraire ou administrateur)."))
    def term_create(
        ctx: typer.Context,
        code: Annotated[
            str, typer.Argument(metavar="CODE", help=_("Session, par exemple HIV-2027."))
        ],
        starts: Annotated[str, _date("--starts", _("Premier jour de la session."))],
        ends: Annotated[str, _date("--ends", _("Dernier jour de la session."))],
        due: Annotated[str, _date("--payment-due", _("Échéance de paiement."))],
        as_user: Annotated[str, _as_option()],
        opens: Annotated[
            str, _date("--reenrolment-opens", _("Ouverture de la réinscription."))
        ] = "",
        closes: Annotated[
            str, _date("--reenrolment-closes", _("Fermeture de la réinscription (incluse)."))
        ] = "",
        deadline: Annotated[
            str, _date("--confirmation-deadline", _("Date limite de confirmation de présence."))
        ] = "",
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.terms import TermDraft, create_term

        draft = TermDraft(
            code=code,
            starts_on=starts,
            ends_on=ends,
            payment_due_on=due,
            reenrolment_opens_on=opens,
            reenrolment_closes_on=closes,
            confirmation_deadline=deadline,
        )
        row = _signed_in(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: create_term(uow, actor_id=user, draft=draft),
        )
        typer.echo(
            _("Session {code} créée : du {starts} au {ends}, paiement dû le {due}.").format(
                code=row.code,
                starts=format_date(row.starts_on),
                ends=format_date(row.ends_on),
                due=format_date(row.payment_due_on),
            )
        )

    @term.command(
        "rollover",
        help=_(
            "Copie les groupes ouverts d'une session dans la suivante (--dry-run : montre "
            "seulement ce qui serait créé)."
        ),
    )
    def term_rollover(
        ctx: typer.Context,
        source: Annotated[str, typer.Option("--from", metavar="CODE", help=_("Session copiée."))],
        target: Annotated[str, typer.Option("--to", metavar="CODE", help=_("Session visée."))],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help=_("Ne rien écrire : lister ce qui serait créé."))
        ] = False,
        as_user: Annotated[str | None, _as_option()] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.school_year.rollover import plan_rollover, roll_over

        if dry_run:
            plan = _reading(ctx, db, lambda uow: plan_rollover(uow, source, target))
            _print_plan(plan, dry_run=True)
            typer.echo(
                _(
                    "Essai à blanc {source} → {target} : {create}, {skip} ; rien n'est écrit."
                ).format(
                    source=plan.source_code,
                    target=plan.target_code,
                    create=ngettext(
                        "{count} groupe à créer", "{count} groupes à créer", len(plan.to_create)
                    ).format(count=len(plan.to_create)),
                    skip=ngettext("{count} ignoré", "{count} ignorés", len(plan.skipped)).format(
                        count=len(plan.skipped)
                    ),
                )
            )
            return
        if as_user is None:
            echo_error(_("--as : indiquez qui fait le report (ou --dry-run pour un essai)."))
            raise typer.Exit(1)

        def change(uow: UnitOfWork, user: int) -> Any:
            from rich.progress import Progress

            with Progress(transient=True, disable=False) as bar:
                task = bar.add_task(_("Report des groupes"), total=None, visible=False)

                def progress(done: int, total: int) -> None:
                    if total >= PROGRESS_FROM:
                        bar.update(task, completed=done, total=total, visible=True)

                return roll_over(
                    uow, actor_id=user, source_code=source, target_code=target, progress=progress
                )

        result = _signed_in(ctx, db, as_user, password_stdin, change)
        _print_plan(result.plan, dry_run=False)
        typer.echo(
            _("Report {source} → {target} : {create}, {skip}.").format(
                source=result.plan.source_code,
                target=result.plan.target_code,
                create=ngettext(
                    "{count} groupe créé", "{count} groupes créés", len(result.created)
                ).format(count=len(result.created)),
                skip=ngettext("{count} ignoré", "{count} ignorés", len(result.plan.skipped)).format(
                    count=len(result.plan.skipped)
                ),
            )
        )
