"""The app as the person at the terminal sees it: tmux at 80×24, the real OpenSSH.

Three measures, on the benchmark base, signed in as the demo clerk:

- **key → search results drawn**: the app in a tmux pane (started by the shipped SSH
  wrapper, so with the environment it has over SSH: TERM=tmux-256color, no COLORTERM);
  the search box holds a prefix and its results; the next letter is sent with `tmux
  send-keys`, then `capture-pane` is polled until the first hit of the longer query is
  on screen (a family that was not among the shorter query's hits, checked on screen
  before the key). The time is from just before `send-keys` to the arrival of the last
  output the pane received before the capture that saw it (`pipe-pane` into a FIFO,
  read by a thread that stamps each chunk): tmux's own command costs a few ms of it.
- **Enter on a result → family drawn**: Enter on that first hit (a family), until the
  family screen shows its balance and its number; the same way.
- **bytes per keystroke over SSH**: `ssh -tt` to a throwaway sshd running the shipped
  block (tests/deploy/openssh.py), in tmux; common surnames typed one key at a time
  into the cleared box; per key, every byte the terminal receives from the key until
  the output has been quiet for 0.3 s (the results drawn); p50 / p95 / max. Also the
  bytes per second of an idle screen (the search box's cursor blinking).

Targets (issue #17): search p95 ≤ 50 ms, family ≤ 100 ms (p95), ≤ 2 KB per keystroke.
Without sshd, ssh or tmux (`apt-get install openssh-server openssh-client tmux`) the
measures that need them print a skip line. Each run works on a copy of a SQLite base
(signing in writes an audit event); on PostgreSQL on the base itself.

    .venv/bin/python -m bench --only terminal [--pg URL]
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SAMPLES = 40
SEED = 2026
WORDS = ("tremblay", "gagnon", "côté", "bouchard", "gauthier")
QUIET_SECONDS = 0.3
IDLE_SECONDS = 4.0
SEARCH_TARGET_MS = 50.0
FAMILY_TARGET_MS = 100.0
BYTES_TARGET = 2048
TERM = "tmux-256color"
CLERK = "clerk"


@dataclass(frozen=True)
class Sample:
    """A query whose last key changes the first hit: `marker` (a family number) is on
    screen for `query` and not for `query[:-1]`."""

    query: str
    marker: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _samples(db_url: str, count: int) -> list[Sample]:
    """`count` typed prefixes (2–6 letters of surnames in the base, seeded) whose first hit
    is a family that the prefix one letter shorter does not show."""
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import Family
    from registrar_tui.services.search.query import search

    db = Database.open(db_url)
    try:
        with db.read() as uow:
            names = sorted(set(uow.session.execute(select(Family.name)).scalars()))
        rng = random.Random(SEED)
        found: list[Sample] = []
        tried: set[str] = set()
        while len(found) < count and len(tried) < 5000:
            name = _fold(rng.choice(names)).split()[0]
            query = name[: rng.randint(2, min(6, len(name)))]
            if query in tried or len(query) < 2:
                continue
            tried.add(query)
            with db.read() as uow:
                longer = search(uow, query).rows
                shorter = search(uow, query[:-1]).rows
            if not longer or str(longer[0].kind) != "family":
                continue
            marker = longer[0].subtitle.split(" ")[0]
            if any(marker in f"{hit.title} {hit.subtitle} {hit.matched}" for hit in shorter):
                continue
            found.append(Sample(query, marker))
        return found
    finally:
        db.dispose()


class PaneRecorder:
    """Every chunk of output a tmux pane receives, stamped on arrival (`pipe-pane` into a
    FIFO read by a thread)."""

    def __init__(self, terminal: object, folder: Path) -> None:
        from tests.deploy.openssh import Terminal

        assert isinstance(terminal, Terminal)
        self.terminal = terminal
        self.fifo = folder / f"{terminal.name}.fifo"
        os.mkfifo(self.fifo)
        self.chunks: list[tuple[float, int]] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        terminal.tmux("pipe-pane", "-O", "-t", terminal.name, f"cat > '{self.fifo}'")

    def _read(self) -> None:
        with self.fifo.open("rb", buffering=0) as pipe:
            while data := pipe.read(65536):
                with self._lock:
                    self.chunks.append((time.monotonic(), len(data)))

    def since(self, start: float, end: float = float("inf")) -> list[tuple[float, int]]:
        with self._lock:
            return [chunk for chunk in self.chunks if start <= chunk[0] <= end]

    def last_arrival(self) -> float:
        with self._lock:
            return self.chunks[-1][0] if self.chunks else 0.0

    def settle(self, quiet: float = QUIET_SECONDS, timeout: float = 20.0) -> float:
        """Wait until no output came for `quiet` seconds; the last arrival's time."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            last = self.last_arrival()
            if time.monotonic() - last >= quiet:
                return last
            time.sleep(0.02)
        raise TimeoutError("the pane's output never settled")

    def stop(self) -> None:
        self.terminal.tmux("pipe-pane", "-t", self.terminal.name)
        self._thread.join(timeout=5)


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], max(values)


def _sign_in(terminal: object) -> None:
    from registrar_tui.demo import DEMO_ACCOUNTS
    from tests.deploy.openssh import Terminal

    assert isinstance(terminal, Terminal)
    password = next(secret for name, secret, _role in DEMO_ACCOUNTS if name == CLERK)
    terminal.wait_for("Connexion", "Nom d'utilisateur", timeout=60)
    terminal.type(CLERK)
    terminal.keys("Enter")
    terminal.type(password)
    terminal.keys("Enter")
    terminal.wait_for("Connecté :", "Tapez pour chercher.", timeout=60)


def _timed(recorder: PaneRecorder, send: object, *texts: str) -> float:
    """Milliseconds from just before `send()` to the output that drew every one of `texts`."""
    from tests.deploy.openssh import TimedOut

    terminal = recorder.terminal
    assert callable(send)
    started = time.monotonic()
    send()
    deadline = started + 20.0
    while True:
        looked = time.monotonic()
        if all(text in terminal.screen() for text in texts):
            break
        if looked > deadline:
            raise TimedOut(f"{texts} never drawn:\n{terminal.screen()}")
        time.sleep(0.002)
    drawn = [when for when, _size in recorder.since(started, looked)]
    return ((drawn[-1] if drawn else looked) - started) * 1000


def _clear(terminal: object) -> None:
    from tests.deploy.openssh import Terminal

    assert isinstance(terminal, Terminal)
    terminal.keys("Escape")
    terminal.wait_for("Tapez pour chercher.")


def _latencies(recorder: PaneRecorder, samples: list[Sample]) -> tuple[list[float], list[float]]:
    """Milliseconds: the last key of each sample to its results; Enter to the family."""
    terminal = recorder.terminal
    searches: list[float] = []
    families: list[float] = []
    for sample in samples:
        _clear(terminal)
        terminal.type(sample.query[:-1])
        terminal.wait_for(sample.query[:-1], "résultat")
        recorder.settle()
        if sample.marker in terminal.screen():
            continue  # the shorter query's page shows it after all: not a fair sample
        searches.append(
            _timed(
                recorder, lambda s=sample: terminal.type(s.query[-1]), sample.query, sample.marker
            )
        )
        recorder.settle()
        families.append(_timed(recorder, lambda: terminal.keys("Enter"), "Solde :", sample.marker))
        recorder.settle()
        terminal.keys("Escape")
        terminal.wait_for("résultat")
        recorder.settle()
    return searches, families


def _bytes_per_key(recorder: PaneRecorder) -> tuple[list[int], float]:
    """Bytes received for each key of WORDS typed one at a time; idle bytes per second."""
    terminal = recorder.terminal
    sizes: list[int] = []
    for word in WORDS:
        _clear(terminal)
        recorder.settle()
        for index, letter in enumerate(word):
            started = time.monotonic()
            terminal.type(letter)
            terminal.wait_for(word[: index + 1])
            end = recorder.settle()
            sizes.append(sum(size for _when, size in recorder.since(started, end)))
    started = time.monotonic()
    time.sleep(IDLE_SECONDS)
    idle = sum(size for _when, size in recorder.since(started)) / IDLE_SECONDS
    return sizes, idle


def _verdict(value: float, target: float, unit: str) -> str:
    return "ok" if value <= target else f"TOO SLOW, target ≤ {target:.0f}{unit}"


def _latency_rows(
    where: str, searches: list[float], families: list[float]
) -> list[tuple[str, str]]:
    rows = []
    for label, times, target in (
        ("key → search results drawn", searches, SEARCH_TARGET_MS),
        ("Enter on a result → family drawn", families, FAMILY_TARGET_MS),
    ):
        p50, p95, worst = _percentiles(times)
        rows.append(
            (
                f"terminal{where}: {label} ({len(times)} keys)",
                f"p50 {p50:.0f} ms · p95 {p95:.0f} ms · max {worst:.0f} ms "
                f"({_verdict(p95, target, ' ms')})",
            )
        )
    return rows


def _measure(db_url: str, folder: Path) -> list[tuple[str, str]]:
    from tests.deploy.openssh import (
        APT_PACKAGES,
        PROGRAM,
        WRAPPER,
        Terminal,
        app_processes,
        missing_tools,
        start_sshd,
        write_env_file,
    )

    if shutil.which("tmux") is None:
        return [("terminal: all measures", "SKIPPED: tmux missing (apt-get install tmux)")]
    samples = _samples(db_url, SAMPLES)
    settings = (f"set -g default-terminal {TERM}",)
    rows: list[tuple[str, str]] = []

    env_file = folder / "direct.env"
    write_env_file(env_file, db_url, folder / "documents")
    terminal = Terminal(folder, "direct", settings)
    terminal.start([str(WRAPPER), str(env_file), str(PROGRAM)])
    try:
        _sign_in(terminal)
        recorder = PaneRecorder(terminal, folder)
        try:
            rows += _latency_rows("", *_latencies(recorder, samples))
        finally:
            recorder.stop()
    finally:
        terminal.close()

    missing = missing_tools()
    if missing:
        rows.append(
            (
                "ssh: bytes per keystroke",
                f"SKIPPED: {', '.join(missing)} missing (apt-get install {APT_PACKAGES})",
            )
        )
        return rows
    ssh_folder = folder / "ssh"
    ssh_folder.mkdir()
    with start_sshd(ssh_folder) as server:
        write_env_file(server.env_file, db_url, folder / "documents")
        terminal = Terminal(ssh_folder, "ssh", settings)
        terminal.start(server.ssh("-tt"))
        try:
            _sign_in(terminal)
            recorder = PaneRecorder(terminal, ssh_folder)
            try:
                sizes, idle = _bytes_per_key(recorder)
            finally:
                recorder.stop()
            terminal.keys("C-q")
        finally:
            terminal.close()
            for pid in app_processes(db_url):
                os.kill(pid, 9)
    p50, p95, worst = _percentiles([float(size) for size in sizes])
    rows.append(
        (
            f"ssh: bytes per keystroke, {' '.join(WORDS)} typed ({len(sizes)} keys)",
            f"p50 {p50:.0f} B · p95 {p95:.0f} B · max {worst:.0f} B "
            f"({_verdict(p95, BYTES_TARGET, ' B')})",
        )
    )
    rows.append(("ssh: bytes per second, idle search screen (cursor blink)", f"{idle:.0f} B/s"))
    return rows


def run(db_url: str) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory(prefix="bench-terminal-") as name:
        folder = Path(name)
        if not db_url.startswith("sqlite:///"):
            return _measure(db_url, folder)
        source = Path(db_url.removeprefix("sqlite:///"))
        copy = folder / source.name
        shutil.copyfile(source, copy)
        return _measure(f"sqlite:///{copy}", folder)


if __name__ == "__main__":
    import sys

    for label, figure in run(sys.argv[1]):
        print(f"{label:<70} {figure}")
