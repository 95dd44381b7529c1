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


def measure(db_url: str, runs: int = RUNS) -> tuple[float, float]:
    """(bare median, ours median) in seconds over `runs` interleaved runs each."""
    bare = [sys.executable, "-c", BARE_APP]
    ours = [sys.executable, "-c", OUR_APP, db_url]
    _time_to_paint(bare)
    _time_to_paint(ours)
    bare_times: list[float] = []
    our_times: list[float] = []
    for _ in range(runs):
        bare_times.append(_time_to_paint(bare))
        our_times.append(_time_to_paint(ours))
    return statistics.median(bare_times), statistics.median(our_times)


def run(db_url: str) -> list[tuple[str, str]]:
    """Rows for `make bench`: both medians and the ratio against the target."""
    bare, ours = measure(db_url)
    ratio = ours / bare
    verdict = "ok" if ratio <= TARGET_RATIO else f"TOO SLOW (target ≤ {TARGET_RATIO})"
    return [
        (f"start-up: bare Textual app, first paint (median of {RUNS})", f"{bare * 1000:.0f} ms"),
        (f"start-up: login screen, first paint (median of {RUNS})", f"{ours * 1000:.0f} ms"),
        ("start-up: ratio login / bare", f"{ratio:.2f} ({verdict})"),
    ]


if __name__ == "__main__":
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.gettempdir()}/bench.db"
    for label, value in run(url):
        print(f"{label:<60} {value}")
