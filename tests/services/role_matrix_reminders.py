"""The role matrix's rows for the overdue reminders: registrars and admins send them, only
an admin changes the levels and the minimum balance."""

from __future__ import annotations

from decimal import Decimal

from registrar_tui.services.ledger import reminders
from registrar_tui.services.outbox import reminder_letters
from tests.services.role_matrix_actions import ADMIN, SUPERVISORS, Action, _write

REMINDERS: tuple[Action, ...] = (
    Action(
        "send the reminders due",
        SUPERVISORS,
        lambda mw, user: reminder_letters.send_reminders(mw.db, actor_id=user),
        (reminder_letters.send_reminders,),
    ),
    Action(
        "send the reminders of some families",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            reminder_letters.send_family_reminders,
            actor_id=user,
            family_ids=[mw.world.family_id],
        ),
        (reminder_letters.send_family_reminders,),
    ),
    Action(
        "edit a reminder level",
        ADMIN,
        lambda mw, user: _write(
            mw, reminders.set_reminder_level, actor_id=user, level=1, text_fr="Petit rappel."
        ),
        (reminders.set_reminder_level,),
    ),
    Action(
        "set the reminders' minimum balance",
        ADMIN,
        lambda mw, user: _write(
            mw, reminders.set_reminder_threshold, actor_id=user, min_balance=Decimal("15.00")
        ),
        (reminders.set_reminder_threshold,),
    ),
    Action(
        "save the reminders' settings form",
        ADMIN,
        lambda mw, user: _write(
            mw,
            reminders.save_reminder_settings,
            actor_id=user,
            level=2,
            days_overdue="61",
            text_fr="Deuxième avis.",
            text_en="Second notice.",
            min_balance="12,00 $",
            language="fr_CA",
        ),
        (reminders.save_reminder_settings,),
    ),
)
