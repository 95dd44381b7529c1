"""Start-up: time to the first painted screen, a bare Textual app against our login screen.

Each run is a fresh headless process. The parent notes the time just before starting it;
the child writes the time its first screen has refreshed to a file and exits at once.
The two are interleaved (bare, ours, bare, ours…) so a busy machine slows both alike, and
one untimed warm-up of each fills the disk cache and the bytecode cache first.

Target: ours ≤ 1.3 × bare (issue #2, start-up is a feature).

    .venv/bin/python -m bench.bench_startup [DB_URL]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 10
TARGET_RATIO = 1.3
PROBE_ENV = "REGISTRAR_TUI_STARTUP_PROBE"  # registrar_tui.app.STARTUP_PROBE_ENV

BARE_APP = """
import os, sys, time
from pathlib import Path
from textual.app import App, ComposeResult
from textual.widgets import Static

class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Hello")

    def on_mount(self) -> None:
        self.call_after_refresh(self.painted)

    def painted(self) -> None:
        Path(os.environ["PROBE_ENV"]).write_text(f"{time.time()}\\n")
        self.exit()

Bare().run(headless=True)
""".replace("PROBE_ENV", PROBE_ENV)

OUR_APP = "import sys; from registrar_tui.app import run_app; run_app(sys.argv[1], 'fr_CA')"


def _time_to_paint(command: list[str]) -> float:
    """Seconds from process start to its first painted screen."""
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "painted"
        env = {**os.environ, PROBE_ENV: str(probe)}
        started = time.time()
        subprocess.run(
            command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        return float(probe.read_text()) - started


def _commands(db_url: str) -> dict[str, list[str]]:
    commands = {
        "bare": [sys.executable, "-c", BARE_APP],
        "app": [sys.executable, "-c", OUR_APP, db_url],
    }
    # The console script a clerk actually types, when installed next to this interpreter.
    script = Path(sys.executable).with_name("registrar-tui")
    if script.exists():
        commands["cli"] = [str(script), "--db", db_url]
    return commands


def measure(db_url: str, runs: int = RUNS) -> dict[str, float]:
    """Median seconds to first paint per command ('bare', 'app', 'cli'), interleaved runs."""
    commands = _commands(db_url)
    for command in commands.values():
        _time_to_paint(command)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(_time_to_paint(command))
    return {name: statistics.median(values) for name, values in times.items()}


def _ensure_schema(db_url: str) -> None:
    # The CLI refuses to start on a database without the current schema.
    from registrar_tui.migrate import upgrade

    upgrade(db_url)


def run(db_url: str) -> list[tuple[str, str]]:
    """Rows for `make bench`: medians and the ratios against the target."""
    _ensure_schema(db_url)
    medians = measure(db_url)
    bare = medians["bare"]
    rows = [
        (f"start-up: bare Textual app, first paint (median of {RUNS})", f"{bare * 1000:.0f} ms")
    ]
    labels = {"app": "login screen (run_app)", "cli": "login screen via `registrar-tui`"}
    for name, label in labels.items():
        if name not in medians:
            continue
        ratio = medians[name] / bare
        verdict = "ok" if ratio <= TARGET_RATIO else f"TOO SLOW, target ≤ {TARGET_RATIO}"
        rows.append((f"start-up: {label}, first paint", f"{medians[name] * 1000:.0f} ms"))
        rows.append((f"start-up: ratio {label} / bare", f"{ratio:.2f} ({verdict})"))
    return rows


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.gettempdir()}/bench.db"
    for label, value in run(url):
        print(f"{label:<60} {value}")
