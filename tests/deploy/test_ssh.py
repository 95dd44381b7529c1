"""Over SSH with OpenSSH: the shipped `deploy/ssh/` block and wrapper, the real client.

The test starts OpenSSH's `sshd -D` on a free loopback port, as the current user, with a
throwaway host key and a throwaway client key (tests/deploy/openssh.py, shared with
bench/bench_terminal.py). Its configuration is the shipped fragment
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
import re
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.demo import DEMO_ACCOUNTS
from registrar_tui.i18n import format_money
from registrar_tui.models import Allocation, Family, Payment, PaymentMethod, Receipt
from registrar_tui.services.audit.verify import verify_chains
from tests.conftest import IN_CI
from tests.deploy.openssh import (
    APT_PACKAGES,
    FRAGMENT,
    PROGRAM,
    SSHD,
    TIMEOUT,
    WRAPPER,
    Server,
    Terminal,
    app_processes,
    config_from_fragment,
    missing_tools,
    start_sshd,
    wait_until,
    write_env_file,
)

CLERK = next((name, password) for name, password, role in DEMO_ACCOUNTS if name == "clerk")
D = Decimal

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ssh")]


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


def _money(amount: str) -> str:
    return format_money(D(amount)).replace("\u00a0", " ").replace("\u202f", " ")


# --- fixtures ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    missing = missing_tools()
    if missing:
        message = f"{', '.join(missing)} missing: apt-get install {APT_PACKAGES}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with start_sshd(tmp_path_factory.mktemp("ssh")) as server:
        yield server


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
    write_env_file(server.env_file, url, documents)
    yield World(url, documents)
    for pid in app_processes(url):  # a test that failed half-way: end its app
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
    wait_until("the connection to close after Ctrl+Q", terminal.dead)
    assert terminal.pane("pane_dead_status") == "0"
    assert not app_processes(world.url)

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
    assert not app_processes(world.url)


def test_closing_the_connection_mid_payment_writes_nothing(
    server: Server, world: World, terminal: Terminal
) -> None:
    before = world.counts()
    _sign_in(terminal, server)
    _open_tremblay_payment(terminal)  # the amount typed, not confirmed
    [app] = app_processes(world.url)
    os.kill(int(terminal.pane("pane_pid")), signal.SIGKILL)  # the ssh client
    wait_until("the ssh client to die", terminal.dead)
    wait_until("the app to end", lambda: app not in app_processes(world.url), timeout=10)

    assert world.counts() == before
    world.verify()
