"""Start-up with threads: what a worker thread needs from Python's own settings is ready
before any thread starts (Python 3.11's sysconfig fills them without a lock)."""

from __future__ import annotations

import subprocess
import sys


def test_the_time_zone_is_found_from_any_thread_once_the_package_is_imported() -> None:
    """The sign-in's worker imports the school's clock (zoneinfo) while the database
    worker may be the first to ask sysconfig for something: importing the package fills
    sysconfig's settings first, so the time-zone path is never read half-filled."""
    program = """
import sysconfig
assert sysconfig._CONFIG_VARS is None  # a fresh interpreter: nothing filled yet
import registrar_tui
filled = sysconfig._CONFIG_VARS
assert filled is not None and "TZPATH" in filled, "sysconfig not filled on import"
import threading
errors = []
def clock():
    try:
        from registrar_tui.services.core.clock import LOCAL_TIMEZONE
        assert str(LOCAL_TIMEZONE) == "America/Toronto"
    except BaseException as error:
        errors.append(error)
worker = threading.Thread(target=clock)
worker.start()
worker.join()
assert not errors, errors
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
