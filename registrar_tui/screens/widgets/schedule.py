"""A course group's schedule and a waiting-list rank, as the screens write them."""

from __future__ import annotations

from datetime import time

from registrar_tui.i18n import N_, _

WEEKDAYS = (N_("lun."), N_("mar."), N_("mer."), N_("jeu."), N_("ven."), N_("sam."), N_("dim."))
"""Short ISO weekday names, Monday first."""


def weekday_label(weekday: int | None) -> str:
    """`mer.` for 3; a dash when the group has no day yet."""
    if weekday is None or not 1 <= weekday <= 7:
        return "—"
    return _(WEEKDAYS[weekday - 1])


def time_span(starts_at: time | None, ends_at: time | None) -> str:
    """`17:30–18:30`; a dash when the group has no time yet."""
    if starts_at is None:
        return "—"
    start = starts_at.strftime("%H:%M")
    return f"{start}–{ends_at.strftime('%H:%M')}" if ends_at is not None else start


def rank_label(rank: int) -> str:
    """« 1er sur la liste d'attente », « 3e sur la liste d'attente »."""
    if rank == 1:
        return _("1er sur la liste d'attente")
    return _("{rank}e sur la liste d'attente").format(rank=rank)
