"""CPU spent by the app per key typed into the search box, in a real pseudo-terminal.

    .venv/bin/python -m bench.key_cpu BASE.sqlite [--rounds N] [--py-spy OUT]

Wall-clock latency (bench_terminal.py) is noisy on a shared machine; the CPU the app's
process spends per key is not. The app runs as the clerk runs it (its console script, the
SSH wrapper's environment: TERM=tmux-256color, no COLORTERM) on an 80×24 pseudo-terminal,
on a *copy* of BASE (signing in writes an audit event). The clerk signs in, then common
surnames are typed one letter at a time into the cleared box; after each letter the
output is awaited until it has been quiet for `QUIET` seconds (the results drawn).

Per key: the UI thread's CPU time (`/proc/PID/task/PID/schedstat`, in nanoseconds: the
event loop, layout, rendering, the frame sent) and the whole process's (`/proc/PID/stat`,
in clock ticks: the search worker's thread included), and the bytes the terminal
received. Printed: mean and median of each, over every key of every round.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

WORDS = (
    "tremblay",
    "gagnon",
    "côté",
    "bouchard",
    "gauthier",
    "roy",
    "lavoie",
    "fortin",
    "morin",
    "pelletier",
)
QUIET = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


class Child:
    """The app in a pseudo-terminal; a thread reads its output and stamps it."""

    def __init__(self, db_url: str, folder: Path, columns: int = 80, lines: int = 24) -> None:
        from registrar_tui.demo import DEMO_ACCOUNTS

        self.password = next(secret for name, secret, _role in DEMO_ACCOUNTS if name == "clerk")
        program = Path(sys.executable).with_name("registrar-tui")
        env = {
            "TERM": "tmux-256color",
            "LANG": "C.UTF-8",
            "HOME": str(folder),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "REGISTRAR_DB_URL": db_url,
            "REGISTRAR_DOCUMENTS_DIR": str(folder / "documents"),
            "REGISTRAR_LANG": "fr_CA",
        }
        pid, fd = pty.fork()
        if pid == 0:  # the child
            os.execve(str(program), [str(program)], env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        os.kill(pid, signal.SIGWINCH)
        self.pid, self.fd = pid, fd
        self.received = bytearray()
        self.last_output = time.monotonic()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                if not ready:
                    continue
                data = os.read(self.fd, 65536)
            except OSError:
                return
            if not data:
                return
            with self._lock:
                self.received += data
                self.last_output = time.monotonic()

    def size(self) -> int:
        with self._lock:
            return len(self.received)

    def text_since(self, offset: int) -> str:
        with self._lock:
            return bytes(self.received[offset:]).decode("utf-8", "replace")

    def send(self, text: str) -> None:
        os.write(self.fd, text.encode())

    def settle(self, quiet: float = QUIET, timeout: float = 30.0, after: int = -1) -> None:
        """Wait until the output has been quiet for `quiet` seconds (and, with `after`,
        until the output has grown past that many bytes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                last = self.last_output
                grown = len(self.received) > after
            if grown and time.monotonic() - last >= quiet:
                return
            time.sleep(0.01)
        raise TimeoutError("the app's output never settled")

    def wait_for(self, text: str, offset: int = 0, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text_since(offset):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} never drawn")
            time.sleep(0.02)

    def ui_thread_ns(self) -> int:
        """CPU time of the app's main thread (the event loop), in nanoseconds."""
        with open(f"/proc/{self.pid}/task/{self.pid}/schedstat") as stat:
            return int(stat.read().split()[0])

    def process_seconds(self) -> float:
        """CPU time of the whole process, ended threads included (clock ticks)."""
        with open(f"/proc/{self.pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass
        os.close(self.fd)


def sign_in(child: Child) -> None:
    child.wait_for("Nom d'utilisateur")
    child.settle(0.5)
    offset = child.size()
    child.send("clerk\r")
    child.settle(0.5)
    child.send(child.password + "\r")
    child.wait_for("Tapez pour chercher", offset)
    child.settle(0.3)


def type_words(child: Child, words: tuple[str, ...]) -> list[tuple[float, float, int]]:
    """(UI thread ms, process ms, bytes) for each letter typed."""
    per_key: list[tuple[float, float, int]] = []
    for word in words:
        before = child.size()
        child.send("\x1b")  # Escape: the box cleared
        child.settle(after=before)
        for letter in word:
            ui_before, process_before, bytes_before = (
                child.ui_thread_ns(),
                child.process_seconds(),
                child.size(),
            )
            child.send(letter)
            child.settle(after=bytes_before)
            per_key.append(
                (
                    (child.ui_thread_ns() - ui_before) / 1e6,
                    (child.process_seconds() - process_before) * 1000,
                    child.size() - bytes_before,
                )
            )
    return per_key


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.key_cpu", description=__doc__)
    parser.add_argument("base", type=Path, help="SQLite base (copied, never written)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--py-spy", type=Path, help="also record a py-spy profile here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="key-cpu-") as name:
        folder = Path(name)
        copy = folder / "base.sqlite"
        shutil.copyfile(args.base, copy)
        child = Child(f"sqlite:///{copy}", folder)
        spy = None
        try:
            sign_in(child)
            type_words(child, WORDS[:2])  # warm-up: first queries, first imports
            if args.py_spy:
                import subprocess

                spy = subprocess.Popen(
                    [
                        str(Path(sys.executable).with_name("py-spy")),
                        "record",
                        "--pid",
                        str(child.pid),
                        "--rate",
                        "500",
                        "--format",
                        "raw",
                        "--output",
                        str(args.py_spy),
                        "--threads",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                time.sleep(1.0)
            idle_ui, idle_process = child.ui_thread_ns(), child.process_seconds()
            time.sleep(2.0)
            idle_ui_ms = (child.ui_thread_ns() - idle_ui) / 1e6 / 2.0
            idle_process_ms = (child.process_seconds() - idle_process) * 1000 / 2.0
            keys: list[tuple[float, float, int]] = []
            for _round in range(args.rounds):
                keys += type_words(child, WORDS)
        finally:
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
            child.close()

    ui = [key[0] for key in keys]
    process = [key[1] for key in keys]
    sizes = [key[2] for key in keys]
    print(f"keys typed: {len(keys)} ({args.rounds} rounds of {' '.join(WORDS)})")
    print(
        f"UI thread CPU per key: mean {statistics.mean(ui):.1f} ms, "
        f"median {statistics.median(ui):.1f} ms, p95 "
        f"{statistics.quantiles(ui, n=20)[-1]:.1f} ms"
    )
    print(
        f"process CPU per key:   mean {statistics.mean(process):.1f} ms, "
        f"median {statistics.median(process):.1f} ms (clock ticks of {1000 / TICKS:.0f} ms)"
    )
    first = ui[: len(keys) // args.rounds]
    print(
        f"UI thread CPU per key, first round only (words not typed before): mean "
        f"{statistics.mean(first):.1f} ms, median {statistics.median(first):.1f} ms"
    )
    print(f"bytes per key:         mean {statistics.mean(sizes):.0f}")
    print(f"idle: UI thread {idle_ui_ms:.2f} ms/s, process {idle_process_ms:.1f} ms/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
