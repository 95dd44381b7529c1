"""The refusals of the ledger: each a named domain error with a French message.

A screen catches `DomainError`, shows `.translated()` next to `.field` and writes
nothing; the service that raised it has written nothing either (its unit of work
rolls back).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registrar_tui.i18n import N_
from registrar_tui.services.errors import DomainError, InvalidInput, NotFound, PermissionDenied

__all__ = [
    "AmountExceedsBalance",
    "CardNumberRefused",
    "CreditAlreadyRefunded",
    "DayAlreadyClosed",
    "DayClosedOverrideRequired",
    "IdempotencyConflict",
    "InsufficientCredit",
    "InvalidAmount",
    "InvoiceAlreadyPaid",
    "InvoiceCancelled",
    "MissingPaymentDetail",
    "MoneyParam",
    "NotFound",
    "NotVoluntary",
    "PaymentAlreadyVoided",
    "PermissionDenied",
    "ReasonRequired",
    "StaleBalance",
]


@dataclass(frozen=True)
class MoneyParam:
    """An amount placed in an error message, formatted in the language it is shown in."""

    amount: Decimal

    def __format__(self, spec: str) -> str:
        from registrar_tui.i18n import format_money

        return format_money(self.amount)

    def __str__(self) -> str:
        return format(self, "")


class StaleBalance(DomainError):
    """The invoices changed since the clerk loaded them (another payment, a decline…)."""

    message = N_("Cette facture a changé : rechargez.")


class AmountExceedsBalance(DomainError):
    message = N_("Le montant dépasse le solde dû ({balance}).")


class InvoiceAlreadyPaid(DomainError):
    message = N_("Cette facture est déjà payée.")


class InvoiceCancelled(DomainError):
    message = N_("Cette facture est annulée.")


class InvalidAmount(InvalidInput):
    message = N_("Le montant doit être supérieur à zéro, avec au plus deux décimales.")


class CardNumberRefused(InvalidInput):
    """A full card number was typed: it is never stored, and the request is refused."""

    message = N_(
        "Ne saisissez jamais le numéro complet d'une carte : "
        "seulement les 4 derniers chiffres et le numéro d'autorisation."
    )


class MissingPaymentDetail(InvalidInput):
    message = N_("Renseignement obligatoire pour ce mode de paiement.")


class IdempotencyConflict(DomainError):
    message = N_(
        "Ce formulaire a déjà servi à enregistrer un autre paiement : fermez-le et rouvrez-le."
    )


class PaymentAlreadyVoided(DomainError):
    message = N_("Ce paiement est déjà annulé.")


class DayAlreadyClosed(DomainError):
    message = N_("Cette caisse est déjà fermée : aucune opération depuis la dernière fermeture.")


class DayClosedOverrideRequired(DomainError):
    """A payment covered by a day close is voided only with a registrar's override reason."""

    message = N_(
        "Ce paiement fait partie d'une caisse déjà fermée : indiquez un motif de dérogation."
    )


class NotVoluntary(DomainError):
    message = N_("Seule une cotisation volontaire peut être retirée ou rétablie.")


class InsufficientCredit(DomainError):
    message = N_("Le crédit de la famille ({credit}) est insuffisant.")


class CreditAlreadyRefunded(DomainError):
    message = N_(
        "Le crédit laissé par ce paiement a déjà été remboursé : "
        "ce paiement ne peut plus être annulé."
    )


class ReasonRequired(InvalidInput):
    message = N_("Indiquez un motif.")
