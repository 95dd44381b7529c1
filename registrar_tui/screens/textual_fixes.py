"""Two things the application does to Textual's memory so that screens open at a steady pace.

1. **A leak in Textual 8.2.8** (Textualize/textual#6665, open upstream):
   `StylesCache.get_inner_outer` is an *instance* method under `functools.lru_cache(1024)`,
   so the cache keeps the last 1,024 `StylesCache` objects alive, each with its rendered
   lines. Every widget has one: opening the family screen 30 times kept about a thousand
   of them (and 16,000 line caches) after the screens were closed. The heap grew, and so
   did the full garbage collections that happen in the middle of opening a screen. The
   replacement caches on the two colours only, which is all the result depends on.

2. **The heap at start-up is frozen** (`gc.freeze`, once the database layer is loaded):
   the 110,000 objects of the imported modules are never garbage and no longer walked by
   every full collection. Measured with `make bench` (family first paint): a full
   collection during an opening took 100–150 ms before, about 10 ms after.
"""

from __future__ import annotations

import gc
from functools import lru_cache

from textual._styles_cache import StylesCache
from textual.color import Color
from textual.style import Style


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


def apply() -> bool:
    """Replace the leaking cache; False when this Textual no longer has it (nothing done)."""
    current = StylesCache.__dict__.get("get_inner_outer")
    if current is _get_inner_outer:
        return True
    if not hasattr(current, "cache_info"):
        return False  # fixed upstream (or renamed): leave Textual as it is
    setattr(StylesCache, "get_inner_outer", _get_inner_outer)  # noqa: B010 (typed as a cache)
    return True


def freeze_startup_heap() -> None:
    """Move everything alive now out of the collector's reach (call once, after start-up).

    What is alive at this point is modules, classes and the app itself: it lives as long
    as the process. Later garbage (closed screens, finished queries) is collected as usual.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
