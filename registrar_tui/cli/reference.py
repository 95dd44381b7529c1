"""The administrator's reference data from the command line (issue #6 point 2, issue #5).

    registrar-tui term set AUT-2026 --reenrolment-opens 2026-11-01 --as admin
    registrar-tui fees set --term AUT-2026 --code INS --amount 55,00 --as admin
    registrar-tui establishment set MTL --phone "514 873-4031" --as admin
    registrar-tui establishment add LAV --name "École de Laval" --address "1, boul. X" \\
        --city Laval --postal-code "H7N 1A1" --phone 450-555-0100 --as admin
    registrar-tui establishment list [--json]

Each command signs the administrator in with their password (asked, or read from standard
input with `--password-stdin`, as `fees late-confirmation` does) and makes one audited
change through services/staff/reference.py. A date option given as `aucune` (or `none`)
clears that date. `fees set` joins the `fees` group of cli/fees.py (see
`register_fee_commands`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from registrar_tui.cli.support import db_option, echo_error, open_checked, url_from, user_errors
from registrar_tui.i18n import N_, _, current_language, format_date, format_money
from registrar_tui.models.base import FeeKind
from registrar_tui.services.core.errors import DomainError, InvalidInput

if TYPE_CHECKING:
    from registrar_tui.db import UnitOfWork
    from registrar_tui.services.staff.reference import EstablishmentInfo

T = TypeVar("T")

KINDS = ", ".join(kind.value for kind in FeeKind if kind is not FeeKind.TUITION)
"""What `fees set --kind` accepts (tuition is tied to a discipline: not added here)."""
CLEAR_WORDS = frozenset({"aucune", "aucun", "none", "-"})
MSG_BAD_DATE = N_("Date invalide « {text} » : écrivez AAAA-MM-JJ (ou « aucune » pour l'effacer).")

OPTION_OF = {
    "reenrolment_opens_on": "--reenrolment-opens",
    "reenrolment_closes_on": "--reenrolment-closes",
    "confirmation_deadline": "--confirmation-deadline",
    "payment_due_on": "--payment-due",
    "amount": "--amount",
    "code": "--code",
    "kind": "--kind",
    "description_fr": "--description-fr",
    "description_en": "--description-en",
    "term": "--term",
    "name": "--name",
    "address_line": "--address",
    "city": "--city",
    "postal_code": "--postal-code",
    "phone": "--phone",
    "email": "--email",
    "province": "--province",
    "student_number_digits": "--student-number-digits",
    "student_number_site_digit": "--site-digit",
}
ESTABLISHMENT_OPTIONS = {**OPTION_OF, "code": "CODE"}
"""`establishment add` names its code as an argument."""


@contextmanager
def _field_errors(options: dict[str, str] = OPTION_OF) -> Iterator[None]:
    """A refusal tied to an input is shown after the option it came from."""
    try:
        yield
    except DomainError as error:
        option = options.get(error.field or "")
        if option is None:
            raise
        echo_error(f"{option} : {error.translated()}")
        raise typer.Exit(1) from None


def _as_option() -> Any:
    return typer.Option(
        "--as",
        metavar="USERNAME",
        help=_("Administrateur qui fait le changement (son mot de passe est demandé)."),
        show_default=False,
    )


def _stdin_option() -> Any:
    return typer.Option(
        "--password-stdin", help=_("Lire le mot de passe de --as sur l'entrée standard.")
    )


def _date_option(name: str, help_text: str) -> Any:
    return typer.Option(name, metavar=_("AAAA-MM-JJ"), help=help_text, show_default=False)


def _as_admin(
    ctx: typer.Context,
    db: str | None,
    as_user: str,
    password_stdin: bool,
    change: Callable[[UnitOfWork, int], T],
    options: dict[str, str] = OPTION_OF,
) -> T:
    """Sign `as_user` in (cli_fees' password prompt), then make the change in one write."""
    from registrar_tui.cli.fees import _password
    from registrar_tui.services.staff.auth import authenticate

    with user_errors():
        database = open_checked(url_from(ctx, db))
        try:
            password = _password(as_user, password_stdin)
            with database.write() as uow:
                user_id = authenticate(uow, as_user, password).id
            assert user_id is not None
            with _field_errors(options), database.write() as uow:
                return change(uow, user_id)
        finally:
            database.dispose()


def _date_change(text: str | None, field: str) -> Any:
    """The service's argument for a date option: UNSET, None (cleared) or the date."""
    from registrar_tui.services.staff.reference import UNSET

    if text is None:
        return UNSET
    value = text.strip()
    if value.lower() in CLEAR_WORDS:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(MSG_BAD_DATE, field=field, text=value) from None


def _shown(day: date | None) -> str:
    return format_date(day) if day is not None else _("aucune")


def register(app: typer.Typer) -> None:
    """Add `term set` and `establishment set` to `app` (`fees set`: register_fee_commands)."""
    term = typer.Typer(
        help=_("Sessions : dates de réinscription et échéances."), no_args_is_help=True
    )
    app.add_typer(term, name="term")
    from registrar_tui.cli.groups import register_term_commands

    register_term_commands(term)  # term list, create, rollover (the school year's)
    establishment = typer.Typer(
        help=_("Établissements : liste, ajout, coordonnées."), no_args_is_help=True
    )
    app.add_typer(establishment, name="establishment")
    register_establishment_commands(establishment)

    @term.command("set", help=_("Change les dates d'une session (administrateur)."))
    def term_set(
        ctx: typer.Context,
        term_code: Annotated[
            str, typer.Argument(metavar="TERM", help=_("Session, par exemple AUT-2026."))
        ],
        as_user: Annotated[str, _as_option()],
        opens: Annotated[
            str | None, _date_option("--reenrolment-opens", _("Ouverture de la réinscription."))
        ] = None,
        closes: Annotated[
            str | None,
            _date_option("--reenrolment-closes", _("Fermeture de la réinscription (incluse).")),
        ] = None,
        deadline: Annotated[
            str | None,
            _date_option("--confirmation-deadline", _("Date limite de confirmation de présence.")),
        ] = None,
        due: Annotated[
            str | None, _date_option("--payment-due", _("Échéance de paiement."))
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.reference import set_term_dates

        with user_errors(), _field_errors():
            changes = {
                "reenrolment_opens_on": _date_change(opens, "reenrolment_opens_on"),
                "reenrolment_closes_on": _date_change(closes, "reenrolment_closes_on"),
                "confirmation_deadline": _date_change(deadline, "confirmation_deadline"),
                "payment_due_on": _date_change(due, "payment_due_on"),
            }
        dates = _as_admin(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: set_term_dates(uow, actor_id=user, term_code=term_code, **changes),
        )
        typer.echo(
            _(
                "Session {term} : réinscription du {opens} au {closes}, confirmation au plus "
                "tard le {deadline}, paiement dû le {due}."
            ).format(
                term=dates.term_code,
                opens=_shown(dates.reenrolment_opens_on),
                closes=_shown(dates.reenrolment_closes_on),
                deadline=_shown(dates.confirmation_deadline),
                due=_shown(dates.payment_due_on),
            )
        )

    @establishment.command(
        "set", help=_("Change les coordonnées d'un établissement (administrateur).")
    )
    def establishment_set(
        ctx: typer.Context,
        code: Annotated[
            str, typer.Argument(metavar="CODE", help=_("Code de l'établissement, par exemple MTL."))
        ],
        as_user: Annotated[str, _as_option()],
        name: Annotated[str | None, typer.Option("--name", help=_("Nom."))] = None,
        address: Annotated[
            str | None, typer.Option("--address", help=_("Adresse (numéro et rue)."))
        ] = None,
        city: Annotated[str | None, typer.Option("--city", help=_("Ville."))] = None,
        postal_code: Annotated[
            str | None, typer.Option("--postal-code", help=_("Code postal."))
        ] = None,
        phone: Annotated[str | None, typer.Option("--phone", help=_("Téléphone."))] = None,
        email: Annotated[
            str | None, typer.Option("--email", help=_("Courriel (vide pour l'effacer)."))
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.reference import update_establishment

        info = _as_admin(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: update_establishment(
                uow,
                actor_id=user,
                code=code,
                name=name,
                address_line=address,
                city=city,
                postal_code=postal_code,
                phone=phone,
                email=email,
            ),
        )
        typer.echo(_establishment_text(info))


def _establishment_text(info: EstablishmentInfo) -> str:
    return (
        f"{info.code} — {info.name}\n  {info.address_line}, {info.city} ({info.province}) "
        f"{info.postal_code}\n  {info.phone}" + (f"  {info.email}" if info.email else "")
    )


def register_establishment_commands(establishment: typer.Typer) -> None:
    """Add `establishment list` and `establishment add` to the `establishment` group."""

    @establishment.command("list", help=_("Liste les établissements (code, nom, adresse, …)."))
    def establishment_list(
        ctx: typer.Context,
        as_json: Annotated[
            bool,
            typer.Option(
                "--json", help=_("Écrire un tableau JSON au lieu de lignes à tabulations.")
            ),
        ] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.reference import list_establishments

        with user_errors():
            database = open_checked(url_from(ctx, db))
            try:
                with database.read() as uow:
                    found = list_establishments(uow)
            finally:
                database.dispose()
        rows = [
            {
                "code": info.code,
                "name": info.name,
                "address": info.address_line,
                "city": info.city,
                "province": info.province,
                "postal_code": info.postal_code,
                "phone": info.phone,
                "email": info.email or "",
                "student_number_digits": info.student_number_digits,
                "site_digit": info.student_number_site_digit,
            }
            for info in found
        ]
        if as_json:
            typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            typer.echo("\t".join(str(value) for value in row.values()))

    @establishment.command("add", help=_("Crée un établissement (administrateur)."))
    def establishment_add(
        ctx: typer.Context,
        code: Annotated[
            str,
            typer.Argument(
                metavar="CODE", help=_("Code du nouvel établissement (2 à 8 caractères).")
            ),
        ],
        name: Annotated[str, typer.Option("--name", help=_("Nom."))],
        address: Annotated[str, typer.Option("--address", help=_("Adresse (numéro et rue)."))],
        city: Annotated[str, typer.Option("--city", help=_("Ville."))],
        postal_code: Annotated[str, typer.Option("--postal-code", help=_("Code postal."))],
        phone: Annotated[str, typer.Option("--phone", help=_("Téléphone."))],
        as_user: Annotated[str, _as_option()],
        province: Annotated[str, typer.Option("--province", help=_("Province."))] = "QC",
        email: Annotated[str | None, typer.Option("--email", help=_("Courriel."))] = None,
        digits: Annotated[
            int,
            typer.Option("--student-number-digits", help=_("Chiffres du numéro d'élève : 9 ou 7.")),
        ] = 9,
        site_digit: Annotated[
            str | None,
            typer.Option(
                "--site-digit",
                help=_("Chiffre d'établissement des numéros à 9 chiffres (1 par défaut)."),
                show_default=False,
            ),
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.staff.reference import add_establishment

        info = _as_admin(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: add_establishment(
                uow,
                actor_id=user,
                code=code,
                name=name,
                address_line=address,
                city=city,
                province=province,
                postal_code=postal_code,
                phone=phone,
                email=email,
                student_number_digits=digits,
                student_number_site_digit=site_digit,
            ),
            ESTABLISHMENT_OPTIONS,
        )
        typer.echo(_("Établissement créé :") + "\n" + _establishment_text(info))


def register_fee_commands(fees: typer.Typer) -> None:
    """Add `fees set` to the `fees` group created by cli_fees.register."""

    @fees.command(
        "set", help=_("Change le montant d'un frais de session ou l'ajouter (administrateur).")
    )
    def fee_set(
        ctx: typer.Context,
        term: Annotated[
            str, typer.Option("--term", metavar="CODE", help=_("Session, par exemple AUT-2026."))
        ],
        code: Annotated[
            str, typer.Option("--code", metavar="CODE", help=_("Code du frais, par exemple INS."))
        ],
        amount: Annotated[str, typer.Option("--amount", help=_("Montant, par exemple 15,00."))],
        as_user: Annotated[str, _as_option()],
        description_fr: Annotated[
            str | None, typer.Option("--description-fr", help=_("Libellé en français."))
        ] = None,
        description_en: Annotated[
            str | None, typer.Option("--description-en", help=_("Libellé en anglais."))
        ] = None,
        kind: Annotated[
            str | None,
            typer.Option(
                "--kind", help=_("Type d'un nouveau frais : {kinds}.").format(kinds=KINDS)
            ),
        ] = None,
        password_stdin: Annotated[bool, _stdin_option()] = False,
        db: Annotated[str | None, db_option()] = None,
    ) -> None:
        from registrar_tui.services.core.money import parse_money
        from registrar_tui.services.staff.reference import set_fee

        with user_errors(), _field_errors():
            value = parse_money(amount, current_language(), field="amount")
            fee_kind = None
            if kind is not None:
                try:
                    fee_kind = FeeKind(kind.strip().lower())
                except ValueError:
                    raise InvalidInput(
                        N_("Type inconnu « {kind} » : {kinds}."),
                        field="kind",
                        kind=kind,
                        kinds=KINDS,
                    ) from None
        info = _as_admin(
            ctx,
            db,
            as_user,
            password_stdin,
            lambda uow, user: set_fee(
                uow,
                actor_id=user,
                term_code=term,
                code=code,
                amount=value,
                description_fr=description_fr,
                description_en=description_en,
                kind=fee_kind,
            ),
        )
        message = (
            _("Frais {code} ajouté à la session {term} : {amount}.")
            if info.added
            else _(
                "Frais {code} de la session {term} : {amount} "
                "(les factures déjà émises ne changent pas)."
            )
        )
        typer.echo(
            message.format(code=info.code, term=info.term_code, amount=format_money(info.amount))
        )
