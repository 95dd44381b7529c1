"""Only the changed cells are sent (screens/session/frame_diff.py), and the screen is the same.

The app runs in tmux at 80×24 (started by the shipped SSH wrapper, as over SSH, with a
256-colour terminal). At each step of a walk (sign-in, typing a search, moving in the
results, a family and its tabs, F1, the command palette) the pane, colours included
(`capture-pane -e`), is compared with the same pane after a full repaint (the window
widened by one column and back: Textual redraws every cell). A cell left stale by a
skipped update would differ. The search box's cursor blinks: the repainted pane is read
again for up to two seconds, until it is in the same phase.

Needs tmux (`apt-get install tmux`): without it the test fails under CI=true, skips
otherwise.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from registrar_tui.demo import DEMO_ACCOUNTS
from tests.conftest import IN_CI
from tests.deploy.openssh import PROGRAM, WRAPPER, Terminal, write_env_file

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("ssh")]

CLERK = next((name, password) for name, password, role in DEMO_ACCOUNTS if name == "clerk")
BLINK_SECONDS = 2.0
SETTLE_SECONDS = 2.0


@pytest.fixture
def terminal(demo_database: Path, tmp_path: Path) -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        if IN_CI:
            pytest.fail("tmux missing: apt-get install tmux")
        pytest.skip("tmux missing: apt-get install tmux")
    database = tmp_path / "registrar.db"
    shutil.copyfile(demo_database, database)
    env_file = tmp_path / "ssh.env"
    write_env_file(env_file, f"sqlite:///{database}", tmp_path / "documents")
    terminal = Terminal(tmp_path, "cells", ("set -g default-terminal tmux-256color",))
    terminal.start([str(WRAPPER), str(env_file), str(PROGRAM)])
    yield terminal
    terminal.close()


def _pane(terminal: Terminal) -> str:
    return terminal.tmux("capture-pane", "-e", "-p", "-t", terminal.name)


def _settled(terminal: Terminal) -> str:
    """The pane once the app has drawn what follows the step (tab underline animation)."""
    time.sleep(SETTLE_SECONDS)
    return _pane(terminal)


def _same_after_full_repaint(terminal: Terminal, step: str) -> None:
    shown = _settled(terminal)
    terminal.tmux("resize-window", "-t", terminal.name, "-x", "81", "-y", "24")
    time.sleep(0.3)
    terminal.tmux("resize-window", "-t", terminal.name, "-x", "80", "-y", "24")
    deadline = time.monotonic() + BLINK_SECONDS
    repainted = _pane(terminal)
    while repainted != shown and time.monotonic() < deadline:
        time.sleep(0.05)
        repainted = _pane(terminal)
    if repainted != shown:
        lines = [
            f"  shown:     {a!r}\n  repainted: {b!r}"
            for a, b in zip(shown.splitlines(), repainted.splitlines(), strict=False)
            if a != b
        ]
        pytest.fail(f"{step}: the screen differs from its full repaint:\n" + "\n".join(lines))


def test_the_screen_sent_in_changed_cells_is_the_screen_repainted(terminal: Terminal) -> None:
    terminal.wait_for("Connexion", "Nom d'utilisateur")
    username, password = CLERK
    terminal.type(username)
    terminal.keys("Enter")
    terminal.type(password)
    terminal.keys("Enter")
    terminal.wait_for("Connecté :", "Tapez pour chercher.")
    _same_after_full_repaint(terminal, "signed in")
    for letter in "trem":
        terminal.type(letter)
        terminal.wait_for(f"▊  {'trem'[: 'trem'.index(letter) + 1]} ")
    terminal.wait_for("F0000001 · Hélène Tremblay")
    _same_after_full_repaint(terminal, "trem")
    terminal.type("x")
    terminal.wait_for("Aucun résultat.")
    _same_after_full_repaint(terminal, "tremx: no result")
    terminal.keys("BSpace")
    terminal.wait_for("F0000001 · Hélène Tremblay")
    terminal.keys("Enter")
    terminal.wait_for("Tremblay  F0000001", "Solde :")
    _same_after_full_repaint(terminal, "the family")
    for key, shown in (("3", "Échéance"), ("2", "Code permanent"), ("5", "Reçus")):
        terminal.keys(key)
        terminal.wait_for(shown)
        _same_after_full_repaint(terminal, f"tab {key}")
    terminal.keys("F1")
    terminal.wait_for("Aide")
    _same_after_full_repaint(terminal, "help")
    terminal.keys("Escape")
    terminal.keys("Escape")
    terminal.wait_for("résultats affichés", "F0000001")
    _same_after_full_repaint(terminal, "back to the search")
    terminal.keys("Escape")
    terminal.wait_for("Tapez pour chercher.")
    _same_after_full_repaint(terminal, "back, cleared")
    terminal.type("côté hé")
    terminal.wait_for("Aucun résultat.")
    _same_after_full_repaint(terminal, "accents")
    terminal.keys("C-p")
    terminal.type("trem")
    terminal.wait_for("Hélène Tremblay")
    _same_after_full_repaint(terminal, "the command palette")
    terminal.keys("Escape")
    _same_after_full_repaint(terminal, "the palette closed")
