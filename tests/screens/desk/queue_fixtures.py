"""The registrar's queue for the screen and snapshot tests: the services' queue world.

Six pending requests (one re-enrolment, one conflict, one invalid postal code) and one
decided, on top of the shared counter world; see tests/services/requests/queue_data.py.
"""

from __future__ import annotations

from tests.services.requests.queue_data import QueueWorld, seed_queue

__all__ = ["QueueWorld", "seed_queue"]
