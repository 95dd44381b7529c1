"""The refusals of the ledger: each a named domain error with a French message.

A screen catches `DomainError`, shows `.translated()` next to `.field` and writes
nothing; the service that raised it has written nothing either (its unit of work
rolls back).
"""

from __future__ import annotations

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import DomainError, InvalidInput


class StaleBalance(DomainError):
    """The invoices changed since the clerk loaded them (another payment, a decline…)."""

    message = N_("Cette facture a changé : rechargez.")


class AmountExceedsBalance(DomainError):
    message = N_("Le montant dépasse le solde dû ({balance}).")


class CreditNotAccepted(DomainError):
    """The payment would leave family credit the clerk did not agree to (or another sum)."""

    message = N_(
        "Ce paiement laisserait {credit} au crédit de la famille sans votre accord : "
        "vérifiez le montant, puis Entrée."
    )


class InvoiceAlreadyPaid(DomainError):
    message = N_("Cette facture est déjà payée.")


class InvoiceCancelled(DomainError):
    message = N_("Cette facture est annulée.")


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


class FeeAlreadyWaived(DomainError):
    message = N_("Ces frais ont déjà été renoncés (note de crédit {number}).")


class ContributionNotWaivable(DomainError):
    """A voluntary contribution is declined by the payer (`d`), never waived."""

    message = N_("Une cotisation volontaire ne se renonce pas : elle se refuse (touche d).")


class NothingToWaive(DomainError):
    message = N_("Cette ligne est de 0,00 $ : il n'y a rien à renoncer.")
