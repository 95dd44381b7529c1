"""Over SSH with OpenSSH: the shipped `deploy/ssh/` block and wrapper, the real client.

The test starts OpenSSH's `sshd -D` on a free loopback port, as the current user, with a
throwaway host key and a throwaway client key. Its configuration is the shipped fragment
(deploy/ssh/registrar-tui.conf) with three lines changed: `Match Group registrar` becomes
`Match User <current user>` (a non-root sshd can only sign in its own user), and the
paths of ForceCommand (the shipped wrapper, this repository's `registrar-tui`, a test env
file) and AuthorizedKeysFile point into the test's folder. The ForceCommand wrapper reads
the env file at each connection: each test writes it for its own copy of a migrated demo
database (`registrar-tui demo`: the demo accounts, the Tremblay family owing 275,00 $).

The client is `ssh -tt` inside tmux at 80×24: the test types as a clerk would and reads the
screen with `tmux capture-pane`. It checks that a cash payment is posted; that a command
without a terminal (`ssh host ls /`), a shell without a terminal, sftp and forwarding are
refused and run nothing; that Ctrl+Z, Ctrl+C and Ctrl+\\ never give a shell; and that
killing the client mid-payment leaves no payment and no half-written row.

`sshd`, `ssh` and `tmux` come from the apt packages openssh-server, openssh-client and
tmux (`.ci/run` installs them): without them the test fails under CI=true, skips
otherwise. Everything waits by polling with a deadline, never on a fixed sleep alone.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.demo import DEMO_ACCOUNTS, generate_demo
from registrar_tui.i18n import format_money
from registrar_tui.models import Allocation, Family, Payment, PaymentMethod, Receipt
from registrar_tui.services.audit.verify import verify_chains
from tests.conftest import IN_CI

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "ssh"
FRAGMENT = DEPLOY / "registrar-tui.conf"
WRAPPER = DEPLOY / "registrar-tui-ssh"
# This checkout's console script, next to the interpreter running the tests (.venv/bin).
PROGRAM = Path(sys.executable).with_name("registrar-tui")
SSHD = Path("/usr/sbin/sshd")
APT_PACKAGES = "openssh-server openssh-client tmux"
CLERK = next((name, password) for name, password, role in DEMO_ACCOUNTS if name == "clerk")
D = Decimal
TIMEOUT = 20.0

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ssh")]


# --- the configuration under test -------------------------------------------------------


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


# --- helpers ----------------------------------------------------------------------------


def _wait(what: str, check: Callable[[], object], timeout: float = TIMEOUT) -> object:
    """Poll `check` until it returns something true; fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.05)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "registrar-test", "-f", str(path)],
        check=True,
        timeout=30,
    )


def _app_processes(db_url: str) -> list[int]:
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


@dataclass(frozen=True)
class World:
    """This test's database, as the wrapper's env file names it."""

    url: str
    documents: Path

    def counts(self) -> tuple[int, int, int]:
        """Payments, receipts, allocations."""
        database = Database.open(self.url)
        try:
            with database.read() as uow:
                payments, receipts, allocations = (
                    uow.session.exec(select(func.count()).select_from(table)).one()
                    for table in (Payment, Receipt, Allocation)
                )
                return payments, receipts, allocations
        finally:
            database.dispose()

    def verify(self) -> None:
        """What `registrar-tui verify` checks: every receipt, ledger and audit link."""
        database = Database.open(self.url)
        try:
            with database.read() as uow:
                report = verify_chains(uow)
        finally:
            database.dispose()
        assert report.ok, report.breaks


class Terminal:
    """One tmux session at 80×24 running one command, on the test's own tmux server."""

    def __init__(self, folder: Path, name: str) -> None:
        self.socket = folder / "tmux.sock"
        self.config = folder / "tmux.conf"
        # A dead pane stays (with its last screen) until the test looks at it.
        self.config.write_text("set -g remain-on-exit on\n")
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
                pytest.fail(f"timed out after {timeout:.0f} s waiting for {texts}:\n{screen}")
            time.sleep(0.05)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        self.tmux("send-keys", "-t", self.name, "-l", text)

    def pane(self, field: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, f"#{{{field}}}").strip()

    def dead(self) -> bool:
        return self.pane("pane_dead") == "1"

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-session", "-t", self.name],
            capture_output=True,
            timeout=10,
        )


def _money(amount: str) -> str:
    return format_money(D(amount)).replace("\u00a0", " ").replace("\u202f", " ")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    missing = [str(SSHD)] if not os.access(SSHD, os.X_OK) else []
    missing += [tool for tool in ("ssh", "ssh-keygen", "tmux") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install {APT_PACKAGES}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    if os.geteuid() == 0:
        # sshd started by root separates privileges through this folder, which the
        # package's service unit creates at boot (not there in a container).
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)

    folder = tmp_path_factory.mktemp("ssh")
    user = pwd.getpwuid(os.geteuid()).pw_name
    host_key, client_key = folder / "host_ed25519", folder / "client_ed25519"
    _keygen(host_key)
    _keygen(client_key)
    authorized_keys = folder / "authorized_keys"
    shutil.copyfile(client_key.with_suffix(".pub"), authorized_keys)
    env_file = folder / "ssh.env"
    force_command = shlex.join([str(WRAPPER), str(env_file), str(PROGRAM)])
    port = _free_port()
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
            pytest.fail(f"sshd exited ({daemon.returncode}): {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    try:
        _wait("sshd to listen", listening, timeout=15)
        yield Server(folder, port, user, client_key, env_file, log)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        subprocess.run(
            ["tmux", "-S", str(folder / "tmux.sock"), "kill-server"],
            capture_output=True,
            timeout=10,
        )


@pytest.fixture(scope="module")
def demo_database(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database filled by `registrar-tui demo` (the smallest), made once."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))
    try:
        generate_demo(database, families=1)
    finally:
        database.dispose()
    return path


@pytest.fixture
def world(server: Server, demo_database: Path, tmp_path: Path) -> Iterator[World]:
    """A copy of the demo database for this test, named by the wrapper's env file."""
    path = tmp_path / "registrar.db"
    source, copy = sqlite3.connect(demo_database), sqlite3.connect(path)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    url = f"sqlite:///{path}"
    documents = tmp_path / "documents"
    server.env_file.write_text(
        "# Written by tests/deploy/test_ssh.py\n"
        f"REGISTRAR_DB_URL={url}\n"
        f'REGISTRAR_DOCUMENTS_DIR="{documents}"\n'
        "REGISTRAR_LANG=fr_CA\n"
    )
    server.env_file.chmod(0o640)
    yield World(url, documents)
    for pid in _app_processes(url):  # a test that failed half-way: end its app
        os.kill(pid, signal.SIGKILL)


@pytest.fixture
def terminal(server: Server, request: pytest.FixtureRequest) -> Iterator[Terminal]:
    terminal = Terminal(server.folder, request.node.name[:40])
    yield terminal
    terminal.close()


def _sign_in(terminal: Terminal, server: Server) -> None:
    terminal.start(server.ssh("-tt"))
    terminal.wait_for("Connexion", "Nom d'utilisateur")
    username, password = CLERK
    terminal.type(username)
    terminal.keys("Enter")
    terminal.type(password)
    terminal.keys("Enter")
    terminal.wait_for("Connecté :", "Tapez pour chercher.")


CONTROL_KEYS = ("C-z", "C-c", "C-\\")  # what a shell's terminal turns into SIGTSTP, SIGINT, SIGQUIT


def _control_keys_give_no_shell(terminal: Terminal) -> None:
    """Ctrl+Z, Ctrl+C, Ctrl+\\ on the search screen: keys to the app (its terminal is raw),
    never a signal, never a shell.

    After each, a shell command is typed with Enter: a shell would print its answer; the
    app shows it as a search that finds nothing, and goes on.
    """
    probe, answer = "echo ZQX$((6*7))", "ZQX42"
    for key in CONTROL_KEYS:
        terminal.keys(key)
        terminal.type(probe)
        terminal.keys("Enter")
        screen = terminal.wait_for(probe, "Aucun résultat.")
        assert answer not in screen, key
        assert not terminal.dead(), key
        terminal.keys("C-u")  # read after the Enter: the screen is past any answer to it
        assert answer not in terminal.wait_for("Tapez pour chercher."), key


def _open_tremblay_payment(terminal: Terminal) -> None:
    """`trem`, Enter on the first Tremblay family, F9, 300 handed over."""
    terminal.type("trem")
    terminal.wait_for("F0000001 · Hélène Tremblay")
    terminal.keys("Enter")
    terminal.wait_for("Tremblay  F0000001", f"Solde : {_money('275.00')}")
    terminal.keys("F9")
    terminal.wait_for("Paiement · Tremblay · F0000001", "Montant remis")
    terminal.type("300")
    terminal.wait_for(f"Monnaie à rendre : {_money('25.00')}")


# What `sshd -T` shows for a staff account, besides its ForceCommand.
BLOCK = (
    "permittty yes",
    "permituserrc no",
    "permituserenvironment no",
    "disableforwarding yes",
    "allowtcpforwarding no",
    "allowstreamlocalforwarding no",
    "allowagentforwarding no",
    "x11forwarding no",
    "permittunnel no",
    "gatewayports no",
    "permitopen none",
    "passwordauthentication no",
    "kbdinteractiveauthentication no",
    "authenticationmethods publickey",
    "acceptenv lang",
    "acceptenv lc_*",
)


# --- the tests --------------------------------------------------------------------------


def _effective(config: Path, user: str) -> set[str]:
    """`sshd -T`: the settings sshd would apply to `user`, one `name value` a line."""
    done = subprocess.run(
        [str(SSHD), "-T", "-f", str(config), "-C", f"user={user},host=localhost,addr=127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.lower().splitlines())


def test_the_shipped_block_is_what_runs(server: Server) -> None:
    """sshd's own view of the test configuration for the user: the shipped directives."""
    effective = _effective(server.folder / "sshd_config", server.user)
    for line in (
        f"forcecommand {WRAPPER} {server.env_file} {PROGRAM}".lower(),
        *BLOCK,
    ):
        assert line in effective, line


def test_the_block_wins_over_the_distribution_config_and_ends_with_its_file(
    server: Server,
) -> None:
    """Installed as Debian and Ubuntu do it: `Include sshd_config.d/*.conf` on the first
    lines, then the stock settings (X11 forwarding, passwords…). The Match block's values
    win for a staff account, and the stock lines after the Include stay global: the
    block does not swallow them, another account keeps them."""
    included = server.folder / "sshd_config.d"
    included.mkdir(exist_ok=True)
    (included / "registrar-tui.conf").write_text(
        config_from_fragment(
            FRAGMENT.read_text(), server.user, "/usr/local/libexec/registrar-tui-ssh",
            server.folder / "authorized_keys",
        )
    )  # fmt: skip
    config = server.folder / "sshd_config.debian"
    config.write_text(
        f"Include {included}/*.conf\n"
        f"HostKey {server.folder / 'host_ed25519'}\n"
        "PidFile none\n"
        "KbdInteractiveAuthentication yes\n"
        "UsePAM no\n"
        "X11Forwarding yes\n"
        "AllowTcpForwarding yes\n"
        "PasswordAuthentication yes\n"
        "PermitTTY no\n"
        "AcceptEnv LANG LC_* PYTHON*\n"
        "Subsystem sftp /usr/lib/openssh/sftp-server\n"
    )
    staff = _effective(config, server.user)
    assert "forcecommand /usr/local/libexec/registrar-tui-ssh" in staff
    for line in BLOCK:
        assert line in staff, line
    assert "acceptenv python*" not in staff
    other = _effective(config, "someone-else")
    for line in (
        "forcecommand none",
        "x11forwarding yes",
        "allowtcpforwarding yes",
        "passwordauthentication yes",
        "permittty no",
        "acceptenv python*",
    ):
        assert line in other, line


def test_a_clerk_takes_a_cash_payment_over_ssh(
    server: Server, world: World, terminal: Terminal
) -> None:
    """Signed in as the clerk: the control keys first, then `trem`, the family, F9, 300,
    Enter (cash: 25,00 $ of change), Enter, Ctrl+Q (the connection closes: no shell after)."""
    payments, receipts, allocations = world.counts()
    _sign_in(terminal, server)
    _control_keys_give_no_shell(terminal)
    _open_tremblay_payment(terminal)
    terminal.keys(*CONTROL_KEYS)  # inside the payment form too: it stays, amount and all
    terminal.wait_for("Paiement · Tremblay · F0000001", f"Monnaie à rendre : {_money('25.00')}")
    terminal.keys("Enter")
    screen = terminal.wait_for("Paiement enregistré · reçu")
    found = re.search(r"reçu ([A-Z]+-\d{4}-\d{6})", screen)
    assert found, screen
    number = found.group(1)
    terminal.keys("Enter")
    terminal.wait_for("Tremblay  F0000001", f"Solde : {_money('0.00')}")
    terminal.keys("C-q")
    _wait("the connection to close after Ctrl+Q", terminal.dead)
    assert terminal.pane("pane_dead_status") == "0"
    assert not _app_processes(world.url)

    assert world.counts() == (payments + 1, receipts + 1, allocations + 1)
    database = Database.open(world.url)
    try:
        with database.read() as uow:
            newest = uow.session.exec(
                select(
                    Family.family_number,
                    Payment.method,
                    Payment.amount,
                    Payment.tendered,
                    Payment.change,
                    Receipt.number,
                )
                .join(Family, col(Family.id) == col(Payment.family_id))
                .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
                .order_by(col(Payment.id).desc())
            ).first()
    finally:
        database.dispose()
    assert newest is not None
    assert tuple(newest) == (
        "F0000001", PaymentMethod.CASH, D("275.00"), D("300.00"), D("25.00"), number,
    )  # fmt: skip
    assert (world.documents / "receipts" / f"{number}.pdf").is_file()
    world.verify()


def test_without_a_terminal_nothing_runs(server: Server, world: World, tmp_path: Path) -> None:
    """A command, a shell without a terminal, sftp, forwarding: all refused, nothing run."""
    marker = tmp_path / "ran"
    refused = "This account only opens the registrar, in a terminal"
    attempts = {
        "command": (server.ssh(command=("ls", "/")), refused),
        "touch": (server.ssh(command=("touch", str(marker))), refused),
        "shell without a terminal": (server.ssh("-T"), refused),
        # sshd drops a subsystem's error output: refused all the same (exit status 1).
        "sftp": (server.ssh("-s", command=("sftp",)), ""),
        "stdio forwarding": (server.ssh("-W", f"127.0.0.1:{server.port}"), ""),
        "remote forwarding": (
            server.ssh("-N", "-o", "ExitOnForwardFailure=yes", "-R", f"0:127.0.0.1:{server.port}"),
            "",
        ),
    }
    running = {
        name: subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, (command, _message) in attempts.items()
    }
    try:
        for name, process in running.items():
            stdout, stderr = process.communicate(timeout=TIMEOUT)
            assert process.returncode != 0, name
            assert stdout == "", (name, stdout)
            assert attempts[name][1] in stderr, (name, stderr)
    finally:
        for process in running.values():
            if process.poll() is None:  # a forwarding that was accepted: end it
                process.kill()
                process.wait()
    assert not marker.exists()
    assert world.counts()[0] > 0  # the database is there, untouched by any of them
    assert not _app_processes(world.url)


def test_closing_the_connection_mid_payment_writes_nothing(
    server: Server, world: World, terminal: Terminal
) -> None:
    before = world.counts()
    _sign_in(terminal, server)
    _open_tremblay_payment(terminal)  # the amount typed, not confirmed
    [app] = _app_processes(world.url)
    os.kill(int(terminal.pane("pane_pid")), signal.SIGKILL)  # the ssh client
    _wait("the ssh client to die", terminal.dead)
    _wait("the app to end", lambda: app not in _app_processes(world.url), timeout=10)

    assert world.counts() == before
    world.verify()
