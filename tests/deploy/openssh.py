"""A throwaway OpenSSH server running the shipped `deploy/ssh/` block, and a tmux terminal.

Shared by tests/deploy/test_ssh.py (what a clerk does over SSH) and bench/bench_terminal.py
(what a clerk sees and receives over SSH). Nothing here imports pytest: a wait that runs
out raises `TimedOut` (an AssertionError, so a test fails with its message).

`start_sshd(folder, env_file)` runs OpenSSH's `sshd -D` on a free loopback port, as the
current user, with a throwaway host key and a throwaway client key. Its configuration is
the shipped fragment (deploy/ssh/registrar-tui.conf) with three lines changed: `Match
Group registrar` becomes `Match User <current user>` (a non-root sshd can only sign in
its own user), and the paths of ForceCommand (the shipped wrapper, this checkout's
`registrar-tui`, the given env file) and AuthorizedKeysFile point into `folder`. The
wrapper reads the env file at each connection.

`Terminal` is one tmux session at 80×24 running one command (e.g. `ssh -tt`), typed into
with `send-keys` and read with `capture-pane`.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "ssh"
FRAGMENT = DEPLOY / "registrar-tui.conf"
WRAPPER = DEPLOY / "registrar-tui-ssh"
# This checkout's console script, next to the interpreter running the tests (.venv/bin).
PROGRAM = Path(sys.executable).with_name("registrar-tui")
SSHD = Path("/usr/sbin/sshd")
APT_PACKAGES = "openssh-server openssh-client tmux"
TIMEOUT = 20.0

T = TypeVar("T")


class TimedOut(AssertionError):
    """Something awaited did not happen before its deadline."""


def wait_until(what: str, check: Callable[[], T], timeout: float = TIMEOUT) -> T:
    """Poll `check` until it returns something true; `TimedOut` naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise TimedOut(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def missing_tools() -> list[str]:
    """What is missing of sshd, ssh, ssh-keygen and tmux (apt-get install APT_PACKAGES)."""
    missing = [str(SSHD)] if not os.access(SSHD, os.X_OK) else []
    return missing + [tool for tool in ("ssh", "ssh-keygen", "tmux") if shutil.which(tool) is None]


def config_from_fragment(fragment: str, user: str, force_command: str, keys: Path) -> str:
    """The shipped fragment with its Match line and its two paths changed, nothing else."""
    replacements = {
        r"^()Match Group registrar$": f"Match User {user}",
        r"^([ \t]*)ForceCommand /\S*/registrar-tui-ssh .*$": f"ForceCommand {force_command}",
        r"^([ \t]*)AuthorizedKeysFile .*$": f"AuthorizedKeysFile {keys}",
    }
    for pattern, line in replacements.items():
        fragment, count = re.subn(
            pattern, lambda found, line=line: found.group(1) + line, fragment, flags=re.MULTILINE
        )
        assert count == 1, f"the shipped fragment has {count} lines matching {pattern}"
    return fragment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "registrar-test", "-f", str(path)],
        check=True,
        timeout=30,
    )


def app_processes(db_url: str) -> list[int]:
    """The live processes whose environment names this database (the app over SSH)."""
    wanted = f"REGISTRAR_DB_URL={db_url}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if wanted in environment.split(b"\0"):
            found.append(int(entry.name))
    return found


def write_env_file(path: Path, db_url: str, documents: Path) -> None:
    """The wrapper's env file for a database, owner-writable only (the wrapper checks)."""
    path.write_text(
        "# Written by tests/deploy/openssh.py\n"
        f"REGISTRAR_DB_URL={db_url}\n"
        f'REGISTRAR_DOCUMENTS_DIR="{documents}"\n'
        "REGISTRAR_LANG=fr_CA\n"
    )
    path.chmod(0o640)


@dataclass(frozen=True)
class Server:
    """A running sshd serving the shipped block to the current user."""

    folder: Path
    port: int
    user: str
    client_key: Path
    env_file: Path
    log: Path

    def ssh(self, *options: str, command: tuple[str, ...] = ()) -> list[str]:
        return [
            "ssh", "-F", "none", "-p", str(self.port), "-i", str(self.client_key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR", *options, f"{self.user}@127.0.0.1", *command,
        ]  # fmt: skip


@contextmanager
def start_sshd(folder: Path) -> Iterator[Server]:
    """sshd on a free loopback port, serving the shipped block to the current user, its
    ForceCommand reading `folder/ssh.env`; stopped (with the folder's tmux server) after."""
    if os.geteuid() == 0:
        # sshd started by root separates privileges through this folder, which the
        # package's service unit creates at boot (not there in a container).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    user = pwd.getpwuid(os.geteuid()).pw_name
    host_key, client_key = folder / "host_ed25519", folder / "client_ed25519"
    keygen(host_key)
    keygen(client_key)
    authorized_keys = folder / "authorized_keys"
    shutil.copyfile(client_key.with_suffix(".pub"), authorized_keys)
    env_file = folder / "ssh.env"
    force_command = shlex.join([str(WRAPPER), str(env_file), str(PROGRAM)])
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\n"
        "ListenAddress 127.0.0.1\n"
        f"HostKey {host_key}\n"
        "PidFile none\n"
        "UsePAM no\n"
        "StrictModes no\n"
        "LogLevel VERBOSE\n"
        "Subsystem sftp internal-sftp\n"
        + config_from_fragment(FRAGMENT.read_text(), user, force_command, authorized_keys)
    )
    log = folder / "sshd.log"
    with log.open("wb") as log_file:
        daemon = subprocess.Popen(
            [str(SSHD), "-D", "-e", "-f", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
        )

    def listening() -> bool:
        if daemon.poll() is not None:
            raise AssertionError(f"sshd exited ({daemon.returncode}): {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    try:
        wait_until("sshd to listen", listening, timeout=15)
        yield Server(folder, port, user, client_key, env_file, log)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        subprocess.run(
            ["tmux", "-S", str(folder / "tmux.sock"), "kill-server"],
            capture_output=True,
            timeout=10,
        )


class Terminal:
    """One tmux session at 80×24 running one command, on the folder's own tmux server.

    `settings` are more tmux configuration lines (e.g. `set -g default-terminal …`).
    """

    def __init__(self, folder: Path, name: str, settings: tuple[str, ...] = ()) -> None:
        self.socket = folder / "tmux.sock"
        self.config = folder / "tmux.conf"
        # A dead pane stays (with its last screen) until the test looks at it.
        self.config.write_text(
            "".join(f"{line}\n" for line in ("set -g remain-on-exit on", *settings))
        )
        self.name = name

    def tmux(self, *arguments: str) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", str(self.config), *arguments],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert done.returncode == 0, f"tmux {arguments}: {done.stderr}"
        return done.stdout

    def start(self, command: list[str]) -> None:
        self.tmux(
            "new-session", "-d", "-s", self.name, "-x", "80", "-y", "24",
            "exec " + shlex.join(command),
        )  # fmt: skip

    def screen(self) -> str:
        text = self.tmux("capture-pane", "-p", "-t", self.name)
        return text.replace("\u00a0", " ").replace("\u202f", " ")

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        """The screen once it shows every one of `texts` (polled, up to `timeout`)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if all(text in screen for text in texts):
                return screen
            if time.monotonic() > deadline:
                raise TimedOut(f"timed out after {timeout:.0f} s waiting for {texts}:\n{screen}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def pane(self, field: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, f"#{{{field}}}").strip()

    def dead(self) -> bool:
        """The client has ended and tmux knows how (`pane_dead_status` or `pane_dead_signal`).

        The pane dies when its terminal reaches end of file; tmux learns the status when it
        reaps the process on SIGCHLD. tmux 3.3a sometimes misses that signal when it comes
        with the end of file and leaves the client a zombie: one more SIGCHLD makes it reap.
        """
        shown = self.tmux(
            "display-message", "-p", "-t", self.name,
            "#{pid}:#{pane_dead}:#{pane_dead_status}:#{pane_dead_signal}",
        )  # fmt: skip
        server, dead, status, killed_by = shown.strip().split(":")
        if dead != "1":
            return False
        if status or killed_by:
            return True
        os.kill(int(server), signal.SIGCHLD)
        return False

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-session", "-t", self.name],
            capture_output=True,
            timeout=10,
        )
