"""The tuition tax slips of one student (Relevé 8 and T2202) and the year's summary.

The dataclasses live here, beside their renderers: services import this module only when
a slip is asked for (reportlab is heavy at start-up). These are the school's copies for
the student, not Revenu Québec's or the CRA's printed forms: each box is labelled with
its number (docs/tax-slips.md says which numbers are official and which are ours).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, Spacer

from registrar_tui.reports.blocks import banner, cell, data_table, facts_box, page_header
from registrar_tui.reports.common import VOID_RED, DocLanguage, build_pdf, esc, p
from registrar_tui.reports.documents import DocumentLanguage, Issuer

T2202_CODES = {"R": "O", "A": "A", "D": "C"}
"""Revenu Québec's status codes → the CRA's (original, amendment, cancel)."""


@dataclass(frozen=True)
class PeriodRow:
    """One T2202 session period (boxes 19 to 23)."""

    term_code: str
    starts: str
    ends: str
    months_part_time: int
    months_full_time: int
    eligible_tuition: Decimal


@dataclass(frozen=True)
class SlipBoxes:
    """One slip as issued: its kind (`rl8`, `t2202`), number, status and boxes."""

    kind: str
    number: int
    status: str
    """R, A or D (Revenu Québec's codes; the T2202 prints O, A or C)."""
    amends_number: int | None
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int
    periods: tuple[PeriodRow, ...]
    program_name: str


@dataclass(frozen=True)
class TaxSlipDocument:
    """What a student's slips state; user data is given raw (the renderer escapes it)."""

    issuer: Issuer
    year: int
    student_name: str
    student_number: str
    address_lines: tuple[str, ...]
    sin_masked: str
    """`*** *** 544` or "" (none on file: box 17 says so)."""
    slips: tuple[SlipBoxes, ...]
    built_at: datetime
    language: DocumentLanguage = "fr_CA"


@dataclass(frozen=True)
class SummaryRow:
    kind: str
    status: str
    count: int
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int


@dataclass(frozen=True)
class SlipSummaryDocument:
    """The year's slips by kind and status, with the totals per box."""

    issuer: Issuer
    year: int
    rows: tuple[SummaryRow, ...]
    missing_sin: int
    built_at: datetime
    language: DocumentLanguage = "fr_CA"


def _status_text(lang: DocLanguage, slip: SlipBoxes) -> str:
    _ = lang.gettext
    code = T2202_CODES[slip.status] if slip.kind == "t2202" else slip.status
    label = {
        "R": _("Original"),
        "A": _("Modifié — remplace le relevé n° {number}"),
        "D": _("Annulé — annule le relevé n° {number}"),
    }[slip.status].format(number=slip.amends_number or "")
    return f"{code} — {label}"


def _rl8(doc: TaxSlipDocument, slip: SlipBoxes, lang: DocLanguage) -> list[Flowable]:
    _ = lang.gettext
    story: list[Flowable] = [
        p(esc(_("Relevé 8 — Montant pour frais de scolarité ou d'examen")), "h2"),
        facts_box(
            [
                (_("Année"), str(doc.year)),
                (_("N° du relevé"), f"{slip.number:06d}"),
                (_("Code du relevé"), _status_text(lang, slip)),
                (
                    _("Case A — Sessions à temps plein (postsecondaire)"),
                    str(slip.full_time_sessions),
                ),
                (_("Case B — Frais de scolarité ou d'examen"), lang.money(slip.eligible_tuition)),
                (_("N° d'assurance sociale"), doc.sin_masked or _("non fourni")),
            ]
        ),
    ]
    return story


def _t2202(doc: TaxSlipDocument, slip: SlipBoxes, lang: DocLanguage) -> list[Flowable]:
    _ = lang.gettext
    story: list[Flowable] = [
        p(esc(_("T2202 — Certificat pour frais de scolarité et d'inscription")), "h2"),
        facts_box(
            [
                (_("Année"), str(doc.year)),
                (_("N° du relevé"), f"{slip.number:06d}"),
                (_("Code du relevé"), _status_text(lang, slip)),
                (_("Case 13 — Programme"), slip.program_name or "—"),
                (_("Case 14 — N° d'élève"), doc.student_number),
                (_("Case 17 — N° d'assurance sociale"), doc.sin_masked or _("non fourni")),
            ]
        ),
        Spacer(1, 6),
    ]
    rows = [
        [
            cell(period.term_code or "—"),
            cell(period.starts),
            cell(period.ends),
            cell(str(period.months_part_time), align_right=True),
            cell(str(period.months_full_time), align_right=True),
            cell(lang.money(period.eligible_tuition), align_right=True),
        ]
        for period in slip.periods
    ]
    rows.append(
        [
            cell(_("Totaux (cases 24, 25, 26)"), bold=True),
            cell(""),
            cell(""),
            cell(str(slip.months_part_time), bold=True, align_right=True),
            cell(str(slip.months_full_time), bold=True, align_right=True),
            cell(lang.money(slip.eligible_tuition), bold=True, align_right=True),
        ]
    )
    story.append(
        data_table(
            [
                _("Session"),
                _("Case 19 — Début"),
                _("Case 20 — Fin"),
                _("Case 21 — Mois temps partiel"),
                _("Case 22 — Mois temps plein"),
                _("Case 23 — Frais admissibles"),
            ],
            rows,
            (0.14, 0.14, 0.14, 0.18, 0.18, 0.22),
            right=(3, 4, 5),
            footer_rows=1,
        )
    )
    return story


def render_tax_slips(doc: TaxSlipDocument) -> bytes:
    """The student's slips of the year as PDF bytes (Letter): RL-8 first, then T2202."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Relevés fiscaux {year}").format(year=doc.year)
    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            title.upper(),
            [
                (_("Élève :"), doc.student_name),
                (_("N° d'élève :"), doc.student_number),
            ],
        ),
        Spacer(1, 8),
    ]
    for line in doc.address_lines:
        story.append(p(esc(line)))
    story.append(Spacer(1, 8))
    story.append(
        p(
            esc(
                _(
                    "Frais admissibles payés pendant l'année civile {year}, selon les codes de "
                    "frais admissibles de l'établissement. Les cotisations volontaires n'en "
                    "font jamais partie."
                ).format(year=doc.year)
            ),
            "muted",
        )
    )
    for slip in doc.slips:
        part = _rl8(doc, slip, lang) if slip.kind == "rl8" else _t2202(doc, slip, lang)
        story.append(Spacer(1, 12))
        if slip.status == "D":
            part.insert(1, banner(_("ANNULÉ"), "", VOID_RED))
        story.append(KeepTogether(part))
    return build_pdf(
        story,
        lang,
        title=title,
        subject=f"{doc.student_name} ({doc.student_number})",
        issuer=doc.issuer,
        created_at=doc.built_at,
        running_header=f"{title} — {doc.student_name}",
    )


def render_slip_summary(doc: SlipSummaryDocument) -> bytes:
    """The year's summary as PDF bytes: slips by kind and status, totals per box."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Sommaire des relevés fiscaux {year}").format(year=doc.year)
    kinds = {"rl8": _("Relevé 8"), "t2202": "T2202"}
    statuses = {"R": _("Originaux"), "A": _("Modifiés"), "D": _("Annulés")}
    rows = [
        [
            cell(kinds[row.kind]),
            cell(statuses[row.status]),
            cell(str(row.count), align_right=True),
            cell(lang.money(row.eligible_tuition), align_right=True),
            cell(str(row.full_time_sessions), align_right=True),
            cell(str(row.months_part_time), align_right=True),
            cell(str(row.months_full_time), align_right=True),
        ]
        for row in doc.rows
    ]
    story: list[Flowable] = [
        page_header(doc.issuer, lang, title.upper(), [(_("Année :"), str(doc.year))]),
        Spacer(1, 12),
        data_table(
            [
                _("Relevé"),
                _("Code"),
                _("Nombre"),
                _("Frais admissibles (RL-8 B, T2202 26)"),
                _("Sessions (RL-8 A)"),
                _("Mois partiel (24)"),
                _("Mois plein (25)"),
            ],
            rows,
            (0.12, 0.12, 0.1, 0.24, 0.14, 0.14, 0.14),
            right=(2, 3, 4, 5, 6),
        ),
        Spacer(1, 10),
        p(esc(_("Élèves sans numéro d'assurance sociale : {count}").format(count=doc.missing_sin))),
        p(
            esc(
                _(
                    "Les totaux des relevés modifiés remplacent ceux des relevés qu'ils "
                    "modifient ; un relevé annulé reprend les montants du relevé annulé."
                )
            ),
            "muted",
        ),
    ]
    return build_pdf(
        story,
        lang,
        title=title,
        subject=title,
        issuer=doc.issuer,
        created_at=doc.built_at,
    )
