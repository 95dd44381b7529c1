"""Domain errors: raised by services, caught by screens and the CLI, shown translated.

Each error carries a French source message (translated when shown) and, when it is
about one input, the name of the field it belongs next to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from registrar_tui.i18n import N_


class DomainError(Exception):
    """A request the domain refuses; nothing was written."""

    message: str = N_("Opération refusée.")

    def __init__(self, message: str | None = None, *, field: str | None = None, **params: Any):
        self.source_message = message or self.message
        self.field = field
        self.params = params
        super().__init__(self.source_message)

    def translated(self) -> str:
        """The message in the current UI language, with its parameters filled in."""
        from registrar_tui.i18n import _, elide

        text = _(self.source_message)
        # « d'Hélène », « de Marc »: names in refusals take French elision.
        return elide(text, **self.params) if self.params else text

    def __str__(self) -> str:
        return self.translated()

    def field_errors(self) -> tuple[DomainError, ...]:
        """Each refusal this error carries, one per field (itself, unless it is several:
        FieldErrors); a caller reporting errors field by field reads them here."""
        return (self,)


class InvalidInput(DomainError):
    message = N_("Valeur invalide.")


class FieldErrors(InvalidInput):
    """Several inputs refused at once, each with its own field and message (a submission
    checked whole, so that every mistake is said the first time, not one per attempt).

    `field` is None (the refusal is about several fields); `field_errors()` lists them.
    Shown as one line per field, « label : message », the label given by `label` (the
    field's name as people know it, in the current language; the name itself without).
    """

    message = N_("{label} : {message}")

    def __init__(
        self, errors: Sequence[DomainError], *, label: Callable[[str], str] | None = None
    ) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one error")
        super().__init__()
        self.errors = tuple(errors)
        self.label = label

    def field_errors(self) -> tuple[DomainError, ...]:
        return self.errors

    def translated(self) -> str:
        """One line per refused field: its label, then its message."""
        from registrar_tui.i18n import _

        lines = []
        for error in self.errors:
            name = error.field or ""
            label = self.label(name) if self.label is not None and name else name
            text = error.translated()
            lines.append(_(self.message).format(label=label, message=text) if label else text)
        return "\n".join(lines)


class NotFound(DomainError):
    message = N_("Introuvable.")


class PermissionDenied(DomainError):
    message = N_("Vous n'avez pas le droit de faire cette opération.")


class InvalidCredentials(DomainError):
    message = N_("Nom d'utilisateur ou mot de passe incorrect.")


class AccountLocked(DomainError):
    """Too many wrong passwords: the account is locked until `until` (an aware instant)."""

    message = N_("Ce compte est verrouillé. Réessayez plus tard ou demandez à un administrateur.")
    until_message = N_(
        "Ce compte est verrouillé jusqu'à {until}. "
        "Réessayez à cette heure-là ou demandez à un administrateur."
    )

    def __init__(self, until: datetime | None = None, *, field: str | None = None):
        super().__init__(self.message if until is None else self.until_message, field=field)
        self.until = until

    def translated(self) -> str:
        """The message, naming the end of the lock in the school's local time."""
        from registrar_tui.i18n import _, format_datetime

        if self.until is None:
            return _(self.source_message)
        return _(self.source_message).format(until=format_datetime(self.until, "short"))


class SchemaOutOfDate(DomainError):
    message = N_("La base de données doit être mise à jour : lancez « registrar-tui db upgrade ».")


class DatabaseUnavailable(DomainError):
    """The database cannot be used: its address, its kind, its driver, or the server.

    Raised by `registrar_tui.db` with a message that says what is wrong (host, port,
    cause) and what to do; never a traceback.
    """

    message = N_("La base de données est inaccessible.")


class InvalidAmount(InvalidInput):
    message = N_("Le montant doit être supérieur à zéro, avec au plus deux décimales.")


class CardNumberRefused(InvalidInput):
    """A full card number was typed: it is never stored, and the request is refused."""

    message = N_(
        "Ne saisissez jamais le numéro complet d'une carte : "
        "seulement les 4 derniers chiffres et le numéro d'autorisation."
    )


class ReasonRequired(InvalidInput):
    message = N_("Indiquez un motif.")


@dataclass(frozen=True)
class MoneyParam:
    """An amount placed in an error message, formatted in the language it is shown in."""

    amount: Decimal

    def __format__(self, spec: str) -> str:
        from registrar_tui.i18n import format_money

        return format_money(self.amount)

    def __str__(self) -> str:
        return format(self, "")


@dataclass(frozen=True)
class PhraseParam:
    """A phrase of ours (a French source marked with N_) placed in a message, translated
    in the language the message is shown in, with its own parameters."""

    source: str
    values: tuple[tuple[str, str], ...] = ()

    def __format__(self, spec: str) -> str:
        from registrar_tui.i18n import _

        text = _(self.source)
        return text.format(**dict(self.values)) if self.values else text

    def __str__(self) -> str:
        return format(self, "")


@dataclass(frozen=True)
class DayParam:
    """A calendar day placed in a message, formatted in the language it is shown in."""

    day: date

    def __format__(self, spec: str) -> str:
        from registrar_tui.i18n import format_date

        return format_date(self.day)

    def __str__(self) -> str:
        return format(self, "")
