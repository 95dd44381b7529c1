"""A guardian's details, every field: a modal form, each error under its field.

Opened on a guardian (E on the family's identity tab) it corrects names, relationship,
phones, e-mail, address and language; opened on a family (A) it adds a guardian with the
same fields. When correcting, the last line is the social insurance number, shown masked
(`*** *** 286`). A registrar or an admin may type a new one (or empty the box to remove
it) and, with Ctrl+R, see the full number: this form is the one place that shows it, and
each look is audited.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, Select, Static

from registrar_tui.i18n import N_, _, elided_template
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.contacts import (
        GuardianContact,
        GuardianContactChange,
        NewGuardian,
    )
    from registrar_tui.services.records.sin import RevealedSin

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
"""(field, label, longest text accepted by the box), in form order."""
SIN = "social_insurance_number"
LANGUAGE = "language"
LANGUAGES: tuple[tuple[str, str], ...] = ((N_("Français"), "fr_CA"), (N_("Anglais"), "en"))
"""The languages a guardian or a family is written to in: (label, stored value)."""


class GuardianEditScreen(AppModalScreen[bool]):
    """The guardian's details, pre-filled (or blank to add one to `family_id`); dismisses
    True once saved."""

    CSS_PATH = "guardian_edit.tcss"
    COMMAND_NAMESPACE = N_("responsable")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="guardian-edit.save",
            tooltip=N_("Enregistrer le responsable (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="guardian-edit.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
        Binding(
            "ctrl+r",
            "reveal_sin",
            N_("Voir le NAS"),
            id="guardian-edit.reveal-sin",
            tooltip=N_("Afficher le numéro d'assurance sociale complet (consultation journalisée)"),
            priority=True,
        ),
    ]

    def __init__(self, guardian_id: int | None = None, *, family_id: int | None = None) -> None:
        super().__init__()
        if guardian_id is None and family_id is None:
            raise ValueError("a guardian to correct or a family to add one to")
        self.guardian_id = guardian_id
        self.family_id = family_id
        """Set (and `guardian_id` None) when the form adds a guardian to this family."""
        self._loaded = False
        self._saving = False
        self._sin_as_loaded = ""
        """What the number box showed before any typing: masked, or revealed in full."""
        self._sin_stored = False

    def compose(self) -> ComposeResult:
        with Vertical(id="guardian-edit"):
            yield Static(Content(_("Chargement…")), id="guardian-edit-title")
            for name, label, length in FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(Content(_(label)), classes="field-label")
                    yield Input(id=f"contact-{name}", max_length=length, disabled=True)
                yield Static(Content(""), id=f"{name}-message", classes="field-message")
            if self.guardian_id is not None:
                with Horizontal(classes="field-row"):
                    yield Label(Content(_("NAS")), classes="field-label")
                    yield Input(
                        id=f"contact-{SIN}",
                        max_length=11,
                        placeholder=_("9 chiffres"),
                        disabled=True,
                    )
                yield Static(Content(""), id=f"{SIN}-message", classes="field-message")
            # Last: Enter saves from the last box; the language is chosen with Tab, ↓.
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Langue")), classes="field-label")
                yield Select(
                    [(_(label), value) for label, value in LANGUAGES],
                    allow_blank=False,
                    compact=True,
                    id=f"contact-{LANGUAGE}",
                    disabled=True,
                )
            yield Static(Content(""), id=f"{LANGUAGE}-message", classes="field-message")
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : enregistrer · Échap : annuler")),
                id="guardian-edit-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        if self.guardian_id is None:
            self._fill_blank()
        else:
            self._load()

    def _fill_blank(self) -> None:
        """Adding: every box empty but the province (QC) and the language (French)."""
        self.query_one("#guardian-edit-title", Static).update(
            Content.styled(_("Nouveau responsable"), "bold")
        )
        for name, _label, _length in FIELDS:
            box = self._box(name)
            if name == "province":
                with box.prevent(Input.Changed):
                    box.value = "QC"
            box.disabled = False
        self._language_box().disabled = False
        self._loaded = True
        self._box(FIELDS[0][0]).focus()
        self.refresh_bindings()

    def _language_box(self) -> Select[str]:
        return self.query_one(f"#contact-{LANGUAGE}", Select)

    def _has_sin(self) -> bool:
        return self.guardian_id is not None

    def _load(self) -> None:
        guardian_id = self.guardian_id
        assert guardian_id is not None

        def load(backend: Backend) -> GuardianContact:
            from registrar_tui.services.records.contacts import guardian_contact

            return backend.read(guardian_contact, guardian_id)

        self.call_service(load, self._fill, group="guardian-edit")

    def _fill(self, contact: GuardianContact) -> None:
        # The name is user data: it goes between the halves of the translated sentence.
        sentence = elided_template(_("Coordonnées de {name}"), name=contact.full_name)
        before, _name, after = sentence.partition("{name}")
        self.query_one("#guardian-edit-title", Static).update(
            Content.assemble(before, user_content(contact.full_name, "bold"), after)
        )
        values = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "relationship_label": contact.relationship_label,
            "phone": contact.phone or "",
            "phone_alt": contact.phone_alt or "",
            "email": contact.email or "",
            "address_line": contact.address_line,
            "city": contact.city,
            "province": contact.province,
            "postal_code": contact.postal_code,
        }
        for name, _label, _length in FIELDS:
            box = self._box(name)
            with box.prevent(Input.Changed):
                box.value = user_text(values[name])  # stored text shown cleaned, like everywhere
            box.disabled = False
        language = self._language_box()
        with language.prevent(Select.Changed):
            language.value = str(contact.language)
        language.disabled = False
        sin_box = self._box(SIN)
        with sin_box.prevent(Input.Changed):
            sin_box.value = self._sin_as_loaded = contact.sin_masked
        sin_box.disabled = not self._may_handle_sin()
        self._sin_stored = bool(contact.sin_masked)
        self._loaded = True
        self._box(FIELDS[0][0]).focus()
        self.refresh_bindings()

    def _may_handle_sin(self) -> bool:
        identity = self.backend.identity
        return identity is not None and identity.can_reveal_sin

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal_sin":
            return (
                self._has_sin()
                and self._loaded
                and self._sin_stored
                and self._may_handle_sin()
                and self._box(SIN).value == self._sin_as_loaded
                and self._sin_as_loaded.startswith("*")
            )
        return True

    def action_reveal_sin(self) -> None:
        if self.check_action("reveal_sin", ()):
            self._reveal_sin()

    def _reveal_sin(self) -> None:
        guardian_id = self.guardian_id
        assert guardian_id is not None

        def reveal(backend: Backend) -> RevealedSin:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.sin import reveal_sin

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(reveal_sin, identity.id, guardian_id)

        self.call_service(reveal, self._show_sin, group="guardian-edit", exclusive=False)

    def _show_sin(self, revealed: RevealedSin) -> None:
        """The full number, for this form only (the reveal is audited by the service)."""
        box = self._box(SIN)
        with box.prevent(Input.Changed):
            box.value = self._sin_as_loaded = revealed.formatted
        self._show_status(_("NAS affiché en entier : consultation journalisée."))
        self.refresh_bindings()

    def _box(self, name: str) -> Input:
        return self.query_one(f"#contact-{name}", Input)

    def _show_message(self, name: str, text: str) -> None:
        message = self.query_one(f"#{name}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#guardian-edit-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("contact-"):
            self._show_message(event.input.id.removeprefix("contact-"), "")
        if event.input.id == f"contact-{SIN}":
            self.refresh_bindings()

    @on(Select.Changed)
    def _clear_language_message(self) -> None:
        self._show_message(LANGUAGE, "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        event.stop()
        last = (
            self._box(SIN)
            if self._has_sin() and not self._box(SIN).disabled
            else self._box(FIELDS[-1][0])
        )
        if event.input is last:
            self.action_save()
        else:
            self.focus_next()

    def _typed_sin(self) -> str | None:
        """The number to store: None while the box still shows what was loaded."""
        if not self._has_sin():
            return None
        box = self._box(SIN)
        if box.disabled or box.value.strip() == self._sin_as_loaded:
            return None
        return box.value

    def _typed(self) -> dict[str, str]:
        typed = {name: self._box(name).value for name, _label, _length in FIELDS}
        typed[LANGUAGE] = str(self._language_box().value)
        return typed

    def action_save(self) -> None:
        if not self._loaded or self._saving:
            return
        from registrar_tui.services.records.contacts import GuardianContactChange, NewGuardian

        for name in (*(name for name, _label, _length in FIELDS), LANGUAGE, SIN):
            if self.query(f"#{name}-message"):
                self._show_message(name, "")
        self._saving = True
        self._show_status(_("Enregistrement…"))
        if self.guardian_id is None:
            self._add(NewGuardian(**self._typed()))
        else:
            self._save(
                GuardianContactChange(**self._typed(), social_insurance_number=self._typed_sin())
            )

    def _save(self, change: GuardianContactChange) -> None:
        guardian_id = self.guardian_id
        assert guardian_id is not None

        def save(backend: Backend) -> GuardianContact:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.contacts import update_guardian_contact

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(update_guardian_contact, guardian_id, identity.id, change)
            finally:
                self._saving = False

        self.call_service(save, self._saved, group="guardian-edit", exclusive=False)

    def _add(self, new: NewGuardian) -> None:
        family_id = self.family_id
        assert family_id is not None

        def add(backend: Backend) -> GuardianContact:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.guardians import add_guardian

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(add_guardian, identity.id, family_id, new)
            finally:
                self._saving = False

        self.call_service(add, self._saved, group="guardian-edit", exclusive=False)

    def _saved(self, contact: GuardianContact) -> None:
        """The service stored the guardian."""
        self.notify(
            _("Responsable enregistré : {name}.").format(name=contact.full_name),
            markup=False,
        )
        self.dismiss(True)

    def show_refusal(self, error: DomainError) -> None:
        """The service refused to load or save (nothing was written): each problem under
        its field, else on the status line."""
        from registrar_tui.services.records.contacts import InvalidContact

        fields = {SIN, LANGUAGE, *(name for name, _label, _length in FIELDS)}
        if isinstance(error, InvalidContact):
            for name, problem in error.problems.items():
                self._show_message(name, problem.translated())
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._focus_field(error.field)
        elif error.field in fields:
            self._show_message(error.field or "", error.translated())
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._focus_field(error.field)
        else:
            self._show_status(error.translated(), error=True)

    def _focus_field(self, name: str | None) -> None:
        if name == LANGUAGE:
            self._language_box().focus()
        else:
            self._box(name or FIELDS[0][0]).focus()

    def action_cancel(self) -> None:
        self.dismiss(False)
