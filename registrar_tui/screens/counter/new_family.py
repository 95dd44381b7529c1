"""Admission: a new family with its payer and an optional second guardian (F2 from search).

One row per field, the payer's box on the left and the second guardian's on the right,
each error right under its box. Enter walks down the payer's column, then the second
guardian's; Ctrl+S saves. Before anything is written the service looks for the same
guardian on file (services/records/admission.py): possible duplicates open a dialog
(screens/counter/duplicates.py) that opens the existing family or creates this one
anyway. Once created, the family's record opens, so the clerk can go on (a student, an
invoice, a payment).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.counter.guardian_edit import LANGUAGES
from registrar_tui.screens.widgets.base import AppScreen, KeysFooter, user_text

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.admission import (
        AdmittedFamily,
        DuplicateMatch,
        EstablishmentChoice,
        NewFamily,
    )

SIDES = ("payer", "second")
FIELDS: tuple[tuple[str, str, int], ...] = (
    ("first_name", N_("Prénom"), 100),
    ("last_name", N_("Nom"), 100),
    ("relationship_label", N_("Lien"), 40),
    ("phone", N_("Téléphone"), 24),
    ("phone_alt", N_("Autre tél."), 24),
    ("email", N_("Courriel"), 200),
    ("address_line", N_("Adresse"), 200),
    ("city", N_("Ville"), 100),
    ("province", N_("Province"), 2),
    ("postal_code", N_("Code postal"), 7),
)
"""(field, label, longest text accepted by the box), in form order, for each guardian."""
LANGUAGE = "language"
FAMILY_FIELDS = ("establishment", LANGUAGE)


def box_id(side: str, name: str) -> str:
    return f"{side}-{name}"


def message_id(field: str) -> str:
    """`payer.phone` → `payer-phone-message`; `establishment` → `establishment-message`."""
    return f"{field.replace('.', '-')}-message"


class NewFamilyScreen(AppScreen):
    """The admission form; on save the new family's record replaces it."""

    CSS_PATH = "new_family.tcss"
    COMMAND_NAMESPACE = N_("famille")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "save",
            N_("Créer"),
            id="new-family.save",
            tooltip=N_("Vérifier les doublons puis créer la famille (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="new-family.cancel",
            tooltip=N_("Revenir à la recherche sans rien créer"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saving = False
        self._typed: NewFamily | None = None
        """What was sent last (the duplicate dialog shows it beside the matches)."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="new-family"):
            yield Static(Content.styled(_("Nouvelle famille"), "bold"), id="new-family-title")
            with Horizontal(classes="side-titles"):
                yield Label("", classes="field-label")
                yield Static(Content(_("Payeur")), classes="section-title side-title")
                yield Static(
                    Content(_("2e responsable (facultatif)")), classes="section-title side-title"
                )
            for name, label, length in FIELDS:
                yield from self._row(name, _(label), length)
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Langue")), classes="field-label")
                for side in SIDES:
                    yield self._language_select(box_id(side, LANGUAGE))
            yield from self._messages(LANGUAGE)
            with Horizontal(classes="field-row family-row"):
                yield Label(Content(_("Établissement")), classes="field-label")
                yield Select[int]([], compact=True, id="establishment", prompt=_("Chargement…"))
                yield Label(Content(_("Langue famille")), classes="family-label")
                yield self._language_select(LANGUAGE)
            with Horizontal(classes="family-messages"):
                yield Static(Content(""), id=message_id("establishment"), classes="field-message")
                yield Static(Content(""), id=message_id(LANGUAGE), classes="field-message")
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : créer · Échap : annuler")),
                id="new-family-status",
            )
        yield KeysFooter(compact=True)

    def _row(self, name: str, label: str, length: int) -> list[Widget]:
        row = Horizontal(
            Label(Content(label), classes="field-label"),
            *(Input(id=box_id(side, name), max_length=length) for side in SIDES),
            classes="field-row",
        )
        return [row, *self._messages(name)]

    def _messages(self, name: str) -> list[Widget]:
        return [
            Horizontal(
                Static("", classes="message-spacer"),
                *(
                    Static(Content(""), id=message_id(f"{side}.{name}"), classes="field-message")
                    for side in SIDES
                ),
                classes="message-row",
            )
        ]

    @staticmethod
    def _language_select(widget_id: str) -> Select[str]:
        return Select(
            [(_(label), value) for label, value in LANGUAGES],
            allow_blank=False,
            compact=True,
            id=widget_id,
        )

    def on_mount(self) -> None:
        for side in SIDES:
            self._box(side, "province").value = "QC"
        self._box("payer", "first_name").focus()

        def load(backend: Backend) -> tuple[EstablishmentChoice, ...]:
            from registrar_tui.services.records.admission import establishment_choices

            return backend.read(establishment_choices)

        self.call_service(load, self._fill_establishments, group="new-family-load")

    def _fill_establishments(self, choices: tuple[EstablishmentChoice, ...]) -> None:
        select = self._establishment()
        select.set_options(
            (f"{user_text(choice.code)} {user_text(choice.name)}", choice.id) for choice in choices
        )
        identity = self.backend.identity
        own = identity.establishment_id if identity is not None else None
        if own is not None and any(choice.id == own for choice in choices):
            select.value = own
        elif len(choices) == 1:
            select.value = choices[0].id

    def _establishment(self) -> Select[int]:
        return self.query_one("#establishment", Select)

    def _box(self, side: str, name: str) -> Input:
        return self.query_one(f"#{box_id(side, name)}", Input)

    # ------------------------------------------------------------------ typing

    def _column(self, side: str) -> list[Input]:
        return [self._box(side, name) for name, _label, _length in FIELDS]

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        """Enter goes down the column: the payer's, then the second guardian's; from the
        second guardian's last box it saves. Ctrl+S saves from anywhere: Enter never saves
        early (an Enter on the empty second first name used to, and the family screen that
        opened then took the next letters typed as its keys)."""
        event.stop()
        payer, second = self._column("payer"), self._column("second")
        if event.input in payer[:-1]:
            payer[payer.index(event.input) + 1].focus()
        elif event.input is payer[-1]:
            second[0].focus()
        elif event.input in second[:-1]:
            second[second.index(event.input) + 1].focus()
        else:
            self.action_save()

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id:
            side, _dash, name = event.input.id.partition("-")
            self._show_message(f"{side}.{name}", "")

    def _show_message(self, field: str, text: str) -> None:
        found = self.query(f"#{message_id(field)}")
        if not found:
            return
        message = found.first(Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")
        row = message.parent
        if row is not None and row.has_class("message-row"):
            # The row takes room only while one of its two messages is shown.
            row.set_class(
                any(child.has_class("-visible") for child in row.children), "-has-message"
            )

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#new-family-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ saving

    def _typed_guardian(self, side: str) -> dict[str, str]:
        typed = {name: self._box(side, name).value for name, _label, _length in FIELDS}
        typed[LANGUAGE] = str(self.query_one(f"#{box_id(side, LANGUAGE)}", Select).value)
        return typed

    def _typed_family(self) -> NewFamily:
        from registrar_tui.services.records.admission import NewFamily
        from registrar_tui.services.records.contacts import NewGuardian

        second = self._typed_guardian("second")
        # The province and language boxes start filled: the rest says whether there is one.
        blank = all(
            not value.strip()
            for name, value in second.items()
            if name not in ("province", LANGUAGE)
        )
        establishment = self._establishment().value
        return NewFamily(
            payer=NewGuardian(**self._typed_guardian("payer")),
            second=None if blank else NewGuardian(**second),
            establishment_id=establishment if isinstance(establishment, int) else None,
            language=str(self.query_one(f"#{LANGUAGE}", Select).value),
        )

    def action_save(self) -> None:
        if self._saving:
            return
        for message in self.query(".field-message").results(Static):
            message.update(Content(""))
            message.set_class(False, "-visible")
        for row in self.query(".message-row"):
            row.set_class(False, "-has-message")
        self._typed = self._typed_family()
        self._send(self._typed, allow_duplicates=False)

    def _send(self, typed: NewFamily, *, allow_duplicates: bool) -> None:
        self._saving = True
        self._show_status(_("Vérification des doublons…"))

        def admit(backend: Backend) -> AdmittedFamily:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.admission import admit_family

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(
                    admit_family, identity.id, typed, allow_duplicates=allow_duplicates
                )
            finally:
                self._saving = False

        self.call_service(admit, self._admitted, group="new-family", exclusive=False)

    def _admitted(self, admitted: AdmittedFamily) -> None:
        from registrar_tui.screens.counter.search import SearchScreen

        self.notify(
            _("Famille créée : {number} {name}.").format(
                number=admitted.family_number, name=user_text(admitted.name)
            ),
            markup=False,
        )
        # The app closes this form and opens the family above the search.
        self.app.post_message(SearchScreen.OpenFamily(admitted.family_id))

    def show_refusal(self, error: DomainError) -> None:
        """Each problem under its box; possible duplicates open the dialog."""
        from registrar_tui.services.records.admission import InvalidFamily, PossibleDuplicate

        if isinstance(error, PossibleDuplicate):
            self._show_status(error.translated(), error=True)
            self._ask_about(error.matches)
            return
        problems = error.problems if isinstance(error, InvalidFamily) else {}
        if not problems and error.field:
            problems = {error.field: error}
        shown = [field for field in problems if self.query(f"#{message_id(field)}")]
        for field in shown:
            self._show_message(field, problems[field].translated())
        if shown:
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._focus_field(error.field or shown[0])
        else:
            self._show_status(error.translated(), error=True)

    def _focus_field(self, field: str) -> None:
        side, _dot, name = field.partition(".")
        found = self.query(f"#{box_id(side, name)}" if name else f"#{side}")
        if found:
            found.first().focus()

    def _ask_about(self, matches: tuple[DuplicateMatch, ...]) -> None:
        from registrar_tui.screens.counter.duplicates import DuplicatesScreen
        from registrar_tui.screens.counter.search import SearchScreen

        typed = self._typed
        assert typed is not None

        def chosen(choice: int | bool | None) -> None:
            if choice is True:
                self._send(typed, allow_duplicates=True)
            elif isinstance(choice, int) and not isinstance(choice, bool):
                self.app.post_message(SearchScreen.OpenFamily(choice))
            else:
                self._show_status(_("Rien n'a été créé. Ctrl+S : vérifier et créer à nouveau."))

        self.app.push_screen(DuplicatesScreen(typed, matches), chosen)

    def action_cancel(self) -> None:
        self.dismiss()
