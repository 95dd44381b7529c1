"""What the application changes in Textual 8.2.8 (pinned exactly), and why.

1. **A leak in Textual 8.2.8** (Textualize/textual#6665, open upstream):
   `StylesCache.get_inner_outer` is an *instance* method under `functools.lru_cache(1024)`,
   so the cache keeps the last 1,024 `StylesCache` objects alive, each with its rendered
   lines. Every widget has one: opening the family screen 30 times kept about a thousand
   of them (and 16,000 line caches) after the screens were closed. The heap grew, and so
   did the full garbage collections that happen in the middle of opening a screen. The
   replacement caches on the two colours only, which is all the result depends on.

2. **A table could stay drawn at its old column widths.** `DataTable` caches each
   rendered cell under a counter that adding a row bumps, but it widens its columns
   later, when idle, without bumping it. A frame drawn in between (rows arriving while
   the screen is being drawn, in a table of fixed height) kept cells at the old widths:
   a name cut to the header's width, or a header out of line with the rows below (seen
   in a snapshot of the re-enrolment decision). Widening a column now invalidates them.

3. **A paste is text** (screens/widgets/paste.py): the parser keeps the escape sequences
   inside a bracketed paste in the pasted text, in order, instead of playing them as keys
   before it; every input cleans a paste, and refuses one longer than its maximum with a
   message under the field instead of dropping it silently.

4. **The heap at start-up is frozen** (`gc.freeze`, once the database layer is loaded):
   the 110,000 objects of the imported modules are never garbage and no longer walked by
   every full collection. Measured with `make bench` (family first paint): a full
   collection during an opening took 100–150 ms before, about 10 ms after.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import lru_cache
from types import ModuleType
from typing import Any

from textual._styles_cache import StylesCache
from textual._xterm_parser import XTermParser
from textual.color import Color
from textual.style import Style
from textual.widgets import DataTable, Input


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    # Textual's own body (textual/_styles_cache.py), without `self` in the key.
    return (
        Style(background=base_background + background),
        Style(background=base_background),
    )


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def _widths(table: DataTable[Any]) -> list[int]:
    return [column.content_width for column in table.columns.values()]


def _invalidating(original: Callable[..., None]) -> Callable[..., None]:
    def _update_dimensions(self: DataTable[Any], new_rows: Iterable[object]) -> None:
        before = _widths(self)
        original(self, new_rows)
        if _widths(self) != before:
            self._update_count += 1  # part of every cached cell's and line's key
            self.refresh()

    _update_dimensions.__wrapped__ = original  # type: ignore[attr-defined]
    return _update_dimensions


def _drivers_parsing_input() -> list[ModuleType]:
    """Textual's driver modules that read the terminal with `XTermParser` (this system's)."""
    import importlib

    modules = []
    for name in ("textual.drivers.linux_driver", "textual.drivers.linux_inline_driver"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:  # not on this system (termios)
            continue
    return modules


def apply() -> bool:
    """Apply the fixes; False when this Textual no longer looks as expected (nothing done)."""
    from registrar_tui.screens.widgets.paste import BracketedPasteParser, paste_into_input

    current = StylesCache.__dict__.get("get_inner_outer")
    if current is _get_inner_outer:
        return True
    dimensions = DataTable.__dict__.get("_update_dimensions")
    drivers = _drivers_parsing_input()
    if (
        not hasattr(current, "cache_info")
        or not callable(dimensions)
        or not callable(Input.__dict__.get("_on_paste"))
        or any(getattr(driver, "XTermParser", None) is not XTermParser for driver in drivers)
    ):
        return False  # changed upstream: leave Textual as it is
    setattr(StylesCache, "get_inner_outer", _get_inner_outer)  # noqa: B010 (typed as a cache)
    setattr(DataTable, "_update_dimensions", _invalidating(dimensions))  # noqa: B010
    setattr(Input, "_on_paste", paste_into_input)  # noqa: B010
    for driver in drivers:
        setattr(driver, "XTermParser", BracketedPasteParser)  # noqa: B010
    return True


def freeze_startup_heap() -> None:
    """Move everything alive now out of the collector's reach (call once, after start-up).

    What is alive at this point is modules, classes and the app itself: it lives as long
    as the process. Later garbage (closed screens, finished queries) is collected as usual.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
