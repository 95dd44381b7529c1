"""How the audit viewer names what the trail holds: kinds of record and actions.

Labels only (French source strings, translated where shown); the reading and paging of
the trail is services/audit/log.py.
"""

from __future__ import annotations

from registrar_tui.i18n import N_

ENTITY_TYPES: dict[str, str] = {
    "payment": N_("Paiement"),
    "invoice": N_("Facture"),
    "invoice_line": N_("Ligne de facture"),
    "family": N_("Famille"),
    "guardian": N_("Responsable"),
    "student": N_("Élève"),
    "enrolment": N_("Inscription"),
    "term": N_("Session"),
    "change_request": N_("Demande de modification"),
    "reenrolment_request": N_("Demande de réinscription"),
    "activity_registration": N_("Inscription à une activité"),
    "day_close": N_("Fermeture de caisse"),
    "staff_user": N_("Utilisateur"),
    "app_setting": N_("Paramètre"),
    "audit_event": N_("Journal d'audit"),
}
"""The kinds of record the trail names, as the viewer's filter offers them (French labels).
Unknown kinds still list (unfiltered) and show their raw name."""


ACTION_LABELS: dict[str, str] = {
    "activity.register": N_("Inscription activité"),
    "audit.view": N_("Journal consulté"),
    "audit.view_event": N_("Événement consulté"),
    "auth.idle_lock": N_("Poste verrouillé"),
    "auth.locked": N_("Compte bloqué"),
    "auth.login": N_("Connexion"),
    "auth.login_failed": N_("Connexion refusée"),
    "auth.refused_locked": N_("Refus : compte bloqué"),
    "auth.unlock_screen": N_("Poste déverrouillé"),
    "backup.restore": N_("Sauvegarde restaurée"),
    "change_request.approve": N_("Modification approuvée"),
    "change_request.reject": N_("Modification refusée"),
    "change_request.undo": N_("Décision annulée"),
    "contribution.decline": N_("Contribution refusée"),
    "contribution.restore": N_("Contribution rétablie"),
    "credit.apply": N_("Crédit appliqué"),
    "credit.refund": N_("Crédit remboursé"),
    "day.close": N_("Fermeture de caisse"),
    "enrolment.add": N_("Cours ajouté"),
    "enrolment.confirm_attendance": N_("Fréquentation confirmée"),
    "enrolment.drop": N_("Cours abandonné"),
    "establishment.update": N_("Établissement modifié"),
    "fee.add": N_("Frais ajouté au barème"),
    "fee.update": N_("Frais du barème modifié"),
    "fees.late_confirmation": N_("Frais tardifs facturés"),
    "guardian.contact_update": N_("Coordonnées modifiées"),
    "guardian.household_move": N_("Responsable (déménagement)"),
    "guardian.portal_change": N_("Responsable (portail)"),
    "guardian.portal_change_undone": N_("Responsable (portail annulé)"),
    "guardian.sin_view": N_("NAS consulté"),
    "invoice.cancel": N_("Facture annulée"),
    "invoice.issue": N_("Facture émise"),
    "outbox.failed": N_("Courriel non envoyé"),
    "outbox.sent": N_("Courriel envoyé"),
    "outbox.withdraw": N_("Courriel retiré"),
    "payment.post": N_("Paiement encaissé"),
    "payment.void": N_("Paiement annulé"),
    "receipt.handover": N_("Reçu remis (PDF, courriel)"),
    "reenrolment.reject": N_("Réinscription refusée"),
    "reenrolment.submit": N_("Réinscription demandée"),
    "reenrolment.validate": N_("Réinscription validée"),
    "setting.change": N_("Paramètre modifié"),
    "student.household_move": N_("Élève (déménagement)"),
    "student.portal_change": N_("Élève (portail)"),
    "student.portal_change_undone": N_("Élève (portail annulé)"),
    "term.set_dates": N_("Dates de session fixées"),
    "user.add": N_("Utilisateur créé"),
    "user.disable": N_("Utilisateur désactivé"),
    "user.enable": N_("Utilisateur réactivé"),
    "user.reset_password": N_("Nouveau mot de passe"),
    "user.unlock": N_("Compte débloqué"),
}
"""What each action written to the trail means, short enough for the list's column (French
source; the event's detail shows the code beside it). A test checks that every action a
service writes has one; an unknown code shows as it is."""
