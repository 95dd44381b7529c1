"""The command palette (ctrl+p): jump to a family or a student, or run a key's command.

Two providers, both silent until someone is signed in:

- `RecordsProvider` asks the search service (off the UI thread) and opens the family or
  the student chosen, through the app's `open_family` / `open_student`;
- `ScreenCommandsProvider` offers every enabled key of the screen below the palette as
  "<namespace> : <description>" ("famille : payer"); the namespace is the screen's
  `COMMAND_NAMESPACE` (an N_ string) or, failing that, its title.

User data (names, numbers) reaches the palette as `Content`, never as markup.
"""

from __future__ import annotations

import asyncio
import unicodedata
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Protocol, cast

from textual.binding import ActiveBinding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import user_content, user_text

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.paging import Page
    from registrar_tui.services.search.query import SearchHit

_KIND_LABELS = {
    "family": N_("Famille"),
    "student": N_("Élève"),
    "invoice": N_("Facture"),
}
RECORD_SCORE = 1.0
"""Records rank after the commands whose words match (those score above 1)."""
COMMAND_SCORE = 2.0
APP_NAMESPACE = N_("application")
PLACEHOLDER = N_("Famille, élève, numéro ou commande…")
# Keys that make no sense as a palette command: the palette itself, moving the focus,
# copying a selection (the palette would have taken the focus and the selection).
_SKIPPED_ACTIONS = frozenset(
    {
        "command_palette",
        "app.command_palette",
        "app.focus_next",
        "app.focus_previous",
        "screen.copy_text",
    }
)


class PaletteApp(Protocol):
    """What the palette needs from the application."""

    backend: Backend

    def open_family(self, family_id: int, *, tab: str = "identity") -> object: ...

    def open_student(self, student_id: int, *, family_id: int | None = None) -> object: ...


def _palette_app(provider: Provider) -> PaletteApp | None:
    """The app, when someone is signed in (the palette offers nothing before that)."""
    app = cast(PaletteApp, provider.app)
    backend = getattr(app, "backend", None)
    if backend is None or backend.identity is None:
        return None
    return app


def open_command_palette(app: object) -> None:
    """Open the palette (translated placeholder) for a signed-in user, once.

    The app's `action_command_palette` calls this instead of Textual's, whose
    placeholder is English.
    """
    from textual.app import App

    assert isinstance(app, App)
    backend = getattr(app, "backend", None)
    if backend is None or backend.identity is None or CommandPalette.is_open(app):
        return
    app.push_screen(RegistrarPalette(placeholder=_(PLACEHOLDER), id="--command-palette"))


NO_MATCH = N_("Aucun résultat")


class RegistrarPalette(CommandPalette):
    """Textual's palette, saying « Aucun résultat » where it would say "No matches found".

    Textual adds that line itself, half a second after a search found nothing, with a
    fixed English text: the palette's own list gets it in our words instead.
    """

    def on_mount(self) -> None:
        from rich.align import Align
        from rich.text import Text
        from textual.command import CommandList
        from textual.widgets.option_list import Option

        commands = self.query_one(CommandList)
        add_option = commands.add_option
        no_match_id = getattr(self, "_NO_MATCHES", None)

        def add_translated(item: object = None) -> object:
            if isinstance(item, Option) and item.id is not None and item.id == no_match_id:
                prompt = Align.center(Text(_(NO_MATCH), style="not bold"))
                item = Option(prompt, disabled=True, id=item.id)
            return add_option(item)  # type: ignore[arg-type]

        commands.add_option = add_translated  # type: ignore[method-assign,assignment]


# --- records -----------------------------------------------------------------------------


def _record_display(hit: SearchHit) -> Content:
    """Name in bold, then what it is and its numbers, dimmed (all of it user data)."""
    kind = _(_KIND_LABELS.get(str(hit.kind), str(hit.kind)))
    details = [part for part in (hit.subtitle or hit.matched,) if part]
    # Family titles already say "Famille …" ("… family"): the kind goes with the details.
    if _fold(kind)[0] not in _fold(hit.title)[0]:
        details.insert(0, kind)
    parts: list[Content | str] = [user_content(hit.title, "bold")]
    if details:
        parts += ["  ", user_content(" · ".join(details), "dim")]
    return Content.assemble(*parts)


def _record_command(app: PaletteApp, hit: SearchHit) -> Callable[[], object]:
    if str(hit.kind) == "student":
        return partial(app.open_student, hit.ref_id, family_id=hit.family_id)
    if str(hit.kind) == "invoice":
        return partial(app.open_family, hit.family_id, tab="billing")
    return partial(app.open_family, hit.family_id)


class RecordsProvider(Provider):
    """Families, students and invoices by name or number (the home search, a page of it)."""

    async def search(self, query: str) -> Hits:
        app = _palette_app(self)
        if app is None or not query.strip():
            return
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.search.query import PAGE_SIZE, search

        try:
            page: Page[SearchHit] = await asyncio.to_thread(
                app.backend.read, search, query, limit=PAGE_SIZE
            )
        except DomainError as error:
            self.app.notify(error.translated(), severity="error", markup=False)
            return
        for index, hit in enumerate(page.rows):
            yield Hit(
                RECORD_SCORE - index / 1000,  # keep the search's order
                _record_display(hit),
                _record_command(app, hit),
                text=user_text(hit.title),
            )


# --- the current screen's commands -------------------------------------------------------


def _fold(text: str) -> tuple[str, list[int]]:
    """Accents removed, case folded, and for each folded character its original index."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        bare = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        ).casefold()
        folded.append(bare)
        origin.extend([index] * len(bare))
    return "".join(folded), origin


def match_words(query: str, candidate: str) -> list[tuple[int, int]] | None:
    """Where each word of `query` starts a word of `candidate` (accents and case ignored).

    Returns the matched spans in `candidate`, or None when a word matches nowhere:
    `pay` matches "famille : payer", `hist` "élève : historique", `trem` nothing.
    """
    folded, origin = _fold(candidate)
    starts = [
        i for i, c in enumerate(folded) if c.isalnum() and (i == 0 or not folded[i - 1].isalnum())
    ]
    spans: list[tuple[int, int]] = []
    for word in _fold(query)[0].split():
        found = next((s for s in starts if folded.startswith(word, s)), None)
        if found is None:
            return None
        end = found + len(word) - 1
        spans.append((origin[found], origin[end] + 1))
    return spans


def _namespace(screen: object) -> str:
    namespace = getattr(screen, "COMMAND_NAMESPACE", None)
    if namespace:
        return _(str(namespace))
    title = getattr(screen, "title", None) or getattr(screen, "sub_title", None)
    return user_text(title) if title else ""


def _lowercase_first(text: str) -> str:
    """ "Payer" → "payer", but "PDF du reçu" keeps its capitals."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def screen_commands(screen: object) -> list[tuple[str, ActiveBinding]]:
    """The enabled keys of `screen` (its own and the app's) as palette names, one per action.

    The screen's keys carry its namespace, the app's global keys "application".
    """
    from textual.screen import Screen

    from registrar_tui.screens.session.help import listed_bindings

    app = getattr(screen, "app", None)
    bindings: dict[str, ActiveBinding] = (
        listed_bindings(screen) if isinstance(screen, Screen) else {}
    )
    seen: set[tuple[int, str]] = set()
    commands: list[tuple[str, ActiveBinding]] = []
    for active in bindings.values():
        binding = active.binding
        if not active.enabled or not binding.description or binding.action in _SKIPPED_ACTIONS:
            continue
        # Only the screen's and the app's keys: a focused box's editing keys are not commands.
        if active.node is not screen and active.node is not app:
            continue
        key = (id(active.node), binding.action)
        if key in seen:
            continue
        seen.add(key)
        description = _lowercase_first(binding.description)
        namespace = _(APP_NAMESPACE) if active.node is app else _namespace(screen)
        name = (
            _("{namespace} : {command}").format(namespace=namespace, command=description)
            if namespace
            else description
        )
        commands.append((name, active))
    return commands


def _highlight(name: str, spans: Iterable[tuple[int, int]], style: str) -> Content:
    content = Content(name)
    for start, end in spans:
        content = content.stylize(style, start, end)
    return content


class ScreenCommandsProvider(Provider):
    """Every key of the screen below the palette, by its namespaced name."""

    def _run(self, active: ActiveBinding) -> Callable[[], object]:
        async def run() -> None:
            await self.app.run_action(active.binding.action, active.node)

        return run

    def _help(self, active: ActiveBinding) -> str:
        # The palette parses help as markup: escape it (keys and tooltips are ours, but "[").
        # Every key of the command, as F1 lists them ("f9, ^g"): the F-key may be the
        # terminal's own (GNOME Terminal's F10, a Mac's F9–F12).
        from registrar_tui.screens.session.help import action_keys, listed_bindings

        key = action_keys(
            self.app, listed_bindings(self.screen), active.node, active.binding.action
        )
        return escape(f"{key} · {active.tooltip}" if active.tooltip else key)

    async def discover(self) -> Hits:
        if _palette_app(self) is None:
            return
        for name, active in screen_commands(self.screen):
            yield DiscoveryHit(Content(name), self._run(active), text=name, help=self._help(active))

    async def search(self, query: str) -> Hits:
        if _palette_app(self) is None:
            return
        for name, active in screen_commands(self.screen):
            spans = match_words(query, name)
            if spans is None:
                continue
            # Fewer unmatched letters, higher: "payer" over "paiements en attente".
            covered = sum(end - start for start, end in spans)
            yield Hit(
                COMMAND_SCORE + covered / max(len(name), 1),
                _highlight(name, spans, "bold underline"),
                self._run(active),
                text=name,
                help=self._help(active),
            )
