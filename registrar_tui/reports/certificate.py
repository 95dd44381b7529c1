"""The attendance certificate (attestation de fréquentation) handed over at the counter.

The document's dataclass lives here, beside its renderer: services import this module only
when a certificate is asked for (reportlab is heavy at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import facts_box, page_header
from registrar_tui.reports.common import RULE, DocLanguage, Table, build_pdf, esc, p
from registrar_tui.reports.documents import DocumentLanguage, Issuer


@dataclass(frozen=True)
class CertificateDocument:
    """What the certificate states; user data is given raw (the renderer escapes it)."""

    issuer: Issuer
    certificate_number: str
    """The number of the invoice its fee was billed on: it identifies the certificate."""
    issued_at: datetime
    """Naive or aware UTC; printed in the school's local time."""
    student_name: str
    student_number: str
    code_permanent: str | None
    birth_date: date
    term_code: str
    term_starts_on: date
    term_ends_on: date
    disciplines: tuple[str, ...]
    """The courses the student is enrolled in this term, in the document's language."""
    signed_by: str
    """The staff member who issued it."""
    student_sex: str | None = None
    """"F", "M" or None: the French wording agrees with it (« inscrite », « inscrit »)."""
    is_copy: bool = False
    """A certificate handed over again: marked DUPLICATA."""
    language: DocumentLanguage = "fr_CA"


# Institution names by their first word, as French contracts "à" before them:
# « au Conservatoire », « à l'École », « à la Maison ».
_MASCULINE = ("conservatoire", "collège", "college", "centre", "institut", "camp", "cégep")
_FEMININE = ("maison", "société", "fondation", "faculté")


def at_institution(name: str, language: str) -> str:
    """« au Conservatoire … » in French (« à l'École … », « à la Maison … »); `at …` in English.

    A name already starting with an article keeps it (« Le Conservatoire » → « au Conservatoire »).
    """
    name = name.strip()
    if language == "en":
        return f"at {name}"
    words = name.split(maxsplit=1)
    first = words[0].casefold() if words else ""
    if first in ("le", "les", "la") and len(words) == 2:
        article = {"le": "au", "les": "aux", "la": "à la"}[first]
        return f"{article} {words[1]}"
    if first.startswith(("l'", "l’")):
        return f"à {name}"
    if first in _MASCULINE:
        return f"au {name}"
    if first in _FEMININE:
        return f"à la {name}"
    if first[:1] in "aeiouyhéèêàâîôû" and first:
        return f"à l’{name}"
    return f"à {name}"


def _attests(doc: CertificateDocument, lang: DocLanguage) -> str:
    """The sentence that certifies, its French agreeing with the student's sex."""
    _ = lang.gettext
    if doc.student_sex == "F":
        sentence = _(
            "Nous attestons que l’élève nommée ci-dessous est inscrite {at_institution} "
            "pour la session {term}, du {start} au {end}, et y suit les cours énumérés."
        )
    elif doc.student_sex == "M":
        sentence = _(
            "Nous attestons que l’élève nommé ci-dessous est inscrit {at_institution} "
            "pour la session {term}, du {start} au {end}, et y suit les cours énumérés."
        )
    else:
        sentence = _(
            "Nous attestons l’inscription de l’élève dont le nom suit {at_institution} "
            "pour la session {term}, du {start} au {end}, aux cours énumérés."
        )
    return sentence.format(
        at_institution=at_institution(doc.issuer.institution_name, lang.language),
        term=doc.term_code,
        start=lang.date_text(doc.term_starts_on),
        end=lang.date_text(doc.term_ends_on),
    )


def render_certificate(doc: CertificateDocument) -> bytes:
    """The certificate as PDF bytes (Letter, one page)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Attestation de fréquentation")
    heading = title.upper()
    if doc.is_copy:
        heading += " — " + _("DUPLICATA")
    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            heading,
            [
                (_("N° :"), doc.certificate_number),
                (_("Date :"), lang.date_text(lang.local(doc.issued_at).date())),
            ],
        ),
        Spacer(1, 18),
        p(esc(_("À qui de droit,")), "value"),
        Spacer(1, 10),
        p(esc(_attests(doc, lang))),
        Spacer(1, 12),
        facts_box(
            [
                (_("Élève"), doc.student_name),
                (_("N° d'élève"), doc.student_number),
                (_("Code permanent"), doc.code_permanent or "—"),
                (_("Date de naissance"), lang.date_text(doc.birth_date)),
                (_("Session"), doc.term_code),
                (_("Établissement"), doc.issuer.establishment_name),
            ],
            widths=(0.4, 0.3, 0.3),
        ),
        Spacer(1, 12),
        p(esc(_("Cours suivis")), "h2"),
    ]
    for name in doc.disciplines or (_("aucun"),):
        story.append(p("• " + esc(name)))
    story += [Spacer(1, 36), _signature(doc, lang)]
    return build_pdf(
        story,
        lang,
        title=f"{title} {doc.certificate_number}",
        subject=f"{doc.student_name} ({doc.student_number})",
        issuer=doc.issuer,
        created_at=doc.issued_at,
        running_header=f"{title} — {doc.student_name}",
    )


def _signature(doc: CertificateDocument, lang: DocLanguage) -> Table:
    _ = lang.gettext
    table = Table(
        [[[p(esc(doc.signed_by), "value"), p(esc(_("Pour le registrariat")), "muted")]]],
        colWidths=[220],
        hAlign="LEFT",
    )
    table.setStyle(
        [("LINEABOVE", (0, 0), (-1, 0), 0.6, RULE), ("LEFTPADDING", (0, 0), (-1, -1), 0)]
    )
    return table
