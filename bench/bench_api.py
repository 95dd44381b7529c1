"""The portal's API under load: uvicorn with a few workers, 50 concurrent signed clients.

On a PostgreSQL copy of the benchmark database (`CREATE DATABASE … TEMPLATE`, dropped at
the end), `registrar-tui serve-api --workers N` (one per core) on a free loopback port,
an API client created for the run; then 50 clients (threads, one HTTP connection each)
send N requests each, twice: paced (each client starts a request every
REGISTRAR_BENCH_API_PACE_MS, 500 by default: a portal's users, who read a page before
the next click; about 100 requests/s offered), then flat out (each sends the next as
soon as it has its answer: what the machine can take, and the latency of a queue 50
deep). The requests are mixed: 50 % statements (GET), 20 % change requests, 20 % online
payments of 1,00 $ (each a new processor transaction id), 10 % replays of one of the
client's own payments (the same report, signed again: must answer 200 and post nothing).

Reported: requests/s, p50/p95 of the reads and of the payments (ms), errors (5xx, or an
answer other than the one expected), how long after the last answer the server's
receipts follower (api/receipts.py) had handed every receipt over, double payments (an
online transaction id posted more than once, or more online payments than first reports
answered 201: must be 0), and
`verify` (receipt, ledger and audit chains) on the copy afterwards.

Targets (issue #15): reads p95 ≤ 50 ms, payments p95 ≤ 100 ms, 0 errors, 0 doubles.
Flat out, a latency is the queue's: 50 requests in flight at R requests/s wait about
50 / R s each (Little's law), so the 50 ms target there would need 1,000 requests/s.
SQLite is not measured (one writer; the API is for the multi-site PostgreSQL set-up).

    .venv/bin/python -m bench --only api --pg postgresql://postgres@127.0.0.1/registrar_bench \\
        [--no-sqlite] [--families 2000]
    REGISTRAR_BENCH_API_CLIENTS=50 REGISTRAR_BENCH_API_REQUESTS=1000   (defaults: 50, 100)
    REGISTRAR_BENCH_API_PACE_MS=500   (0: the flat-out pass only)
    REGISTRAR_BENCH_API_WORKERS=N     (default: one per core)
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

CLIENTS = int(os.environ.get("REGISTRAR_BENCH_API_CLIENTS", "50"))
REQUESTS = int(os.environ.get("REGISTRAR_BENCH_API_REQUESTS", "100"))
WORKERS = int(os.environ.get("REGISTRAR_BENCH_API_WORKERS", str(os.cpu_count() or 2)))
"""One worker per core (docs/api.md): more only share the same cores, each with its own
interpreter lock, pool and queue, and the tail of the answers grows (on 2 cores, 4
workers doubled the reads' p95 against 2)."""
PACE_MS = int(os.environ.get("REGISTRAR_BENCH_API_PACE_MS", "500"))
"""The paced pass: each client starts a request every PACE_MS (a portal's users, each
waiting for a page and clicking again), 50 clients offering about 100 requests/s."""
FAMILY_POOL = 500
LETTERS = str.maketrans("0123456789", "ghijklmnop")
SEED = 2026


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _copy_database(url: str) -> str:
    """A fresh copy of the PostgreSQL database at `url` (its URL): the run's writes stay there."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    source = make_url(url)
    copy = f"{source.database}_api_{os.getpid()}"
    server = create_engine(source.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{copy}"'))
            connection.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{source.database}"'))
    finally:
        server.dispose()
    return source.set(database=copy).render_as_string(hide_password=False)


def _drop_database(url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        server.dispose()


def _prepare(url: str) -> tuple[str, list[tuple[str, int, str]]]:
    """An API client's key, and a pool of families: (portal id, payer id, payer's phone)."""
    from sqlmodel import col, select

    from registrar_tui.db import Database
    from registrar_tui.models import Family, Guardian, StaffUser
    from registrar_tui.models.base import Role
    from registrar_tui.services.staff.api_clients import add_api_client

    db = Database.open(url)
    try:
        with db.write() as uow:
            admin = uow.session.exec(
                select(StaffUser.id).where(col(StaffUser.role) == Role.ADMIN)
            ).first()
            assert admin is not None, "the benchmark database has no admin"
            key = add_api_client(uow, admin, f"bench-{uuid.uuid4().hex[:8]}").key
        with db.read() as uow:
            rows = uow.session.exec(
                select(Family.portal_id, Guardian.id, Guardian.phone)
                .join(Guardian, col(Guardian.family_id) == col(Family.id))
                .where(
                    col(Family.portal_id).is_not(None),
                    col(Guardian.is_payer).is_(True),
                    col(Guardian.phone).is_not(None),
                )
                .order_by(col(Family.id))
                .limit(FAMILY_POOL * 4)
            ).all()
    finally:
        db.dispose()
    pool = [(str(p), int(g), str(phone)) for p, g, phone in rows if p and g is not None]
    random.Random(SEED).shuffle(pool)
    return key, pool[:FAMILY_POOL]


def _start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    launcher = Path(sys.executable).parent / "registrar-tui"
    environment = {
        **os.environ,
        "REGISTRAR_API_RATE_PER_MINUTE": "1000000",
        "REGISTRAR_DOCUMENTS_DIR": str(Path("var") / "bench" / "api-documents"),
    }
    command = [str(launcher), "serve-api", "--port", str(port), "--workers", str(WORKERS)]
    server = subprocess.Popen(
        [*command, "--db", url], env=environment, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise RuntimeError("serve-api did not answer within 60 s")


class _Results:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.first_payments = 0

    def add(self, kind: str, ms: float, problem: str | None) -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(ms)
            if problem:
                self.errors.append(problem)


def _client(
    number: int,
    base: str,
    key: str,
    pool: list[tuple[str, int, str]],
    results: _Results,
    pace_ms: int,
) -> None:
    from registrar_tui.api.signing import signed_headers

    rng = random.Random(SEED + number + pace_ms)
    pace = pace_ms / 1000
    # The clients start spread over one pace, not all in the same instant.
    next_start = time.monotonic() + rng.uniform(0, pace)
    sent: dict[bytes, int] = {}
    """Each payment body sent, and the second it was last signed in."""
    # The standard library's client, one kept-alive connection per client: httpx costs the
    # load generator about 3 times its CPU, which this machine's server would lose.
    host, _sep, port = base.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        for index in range(REQUESTS):
            if pace:
                time.sleep(max(0.0, next_start - time.monotonic()))
                next_start = max(next_start + pace, time.monotonic())
            portal_id, payer_id, _phone = rng.choice(pool)
            stamp = int(time.time())
            roll = rng.random()
            if roll < 0.5:
                # A unique query makes two reads of one statement in the same second two
                # requests (docs/api.md: the signature covers the query).
                path = f"/v1/families/{portal_id}/statement?request={number}-{index}-{pace_ms}"
                kind, method, body, expected = "read", "GET", b"", {200}
            elif roll < 0.7:
                change = {
                    # Letters only, as the processor ids below: digits of the client, the
                    # index and a random part in a row may pass Luhn (refused: a card number).
                    "client_reference": f"bench-{number}-{index}-{uuid.uuid4().hex[:8]}".translate(
                        LETTERS
                    ),
                    "family_portal_id": portal_id,
                    "target_kind": "guardian",
                    "target_id": payer_id,
                    "fields": [
                        {
                            "field_name": "phone_alt",
                            "seen_value": "",
                            "requested_value": f"514-555-{rng.randrange(10000):04d}",
                        }
                    ],
                }
                kind, method, path, expected = "change", "POST", "/v1/change-requests", {201}
                body = json.dumps(change).encode()
            elif roll < 0.9 or not any(last < stamp for last in sent.values()):
                report = {
                    "family_portal_id": portal_id,
                    # Letters only: a long run of digits may pass Luhn, and a card number
                    # anywhere in a body is refused (a numeric processor id would be too).
                    "processor_transaction_id": "bench_" + uuid.uuid4().hex.translate(LETTERS),
                    "authorization_number": f"A{rng.randrange(10**6):06d}",
                    "card_brand": "Visa",
                    "card_last4": "4242",
                    "amount": "1.00",
                    "paid_at": datetime.now(tz=UTC).isoformat(),
                }
                kind, method, path, expected = "payment", "POST", "/v1/online-payments", {201}
                body = json.dumps(report).encode()
                sent[body] = stamp
            else:
                # Signed again in a later second than its last sending (the same body signed
                # in the same second is the same signed request: refused as a replay).
                kind, method, path, expected = "replay", "POST", "/v1/online-payments", {200}
                body = rng.choice([b for b, last in sent.items() if last < stamp])
                sent[body] = stamp
            headers = signed_headers(key, method, path, body, timestamp=stamp)
            if body:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                connection.request(method, path, body=body or None, headers=headers)
                answer = connection.getresponse()
                text = answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()  # reconnects at the next request
                status = 0
                problem: str | None = f"{kind}: {type(error).__name__}"
            else:
                problem = None if status in expected else f"{kind}: {status} {text[:120]!r}"
            results.add(kind, (time.perf_counter() - started) * 1000, problem)
            if kind == "payment" and status == 201:
                with results.lock:
                    results.first_payments += 1
    finally:
        connection.close()


def _percentiles(times: list[float]) -> str:
    if len(times) < 2:
        return "—"
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return f"p50 {statistics.median(times):.1f} ms, p95 {cuts[94]:.1f} ms (n={len(times)})"


def _receipts_followed(url: str) -> str:
    """Wait (at most 5 minutes) until the server's follower has handed every online
    payment's receipt over (api/receipts.py); how long that took after the last answer."""
    from registrar_tui.db import Database
    from registrar_tui.services.outbox.handover import pending_handovers

    db = Database.open(url)
    started = time.perf_counter()
    try:
        while True:
            with db.read() as uow:
                left = len(pending_handovers(uow, online_only=True))
            waited = time.perf_counter() - started
            if not left:
                return f"all, {waited:.1f} s after the last answer"
            if waited > 300:
                return f"{left} STILL PENDING after {waited:.0f} s"
            time.sleep(0.5)
    finally:
        db.dispose()


def _after(url: str, first_payments: int) -> tuple[int, str]:
    from sqlmodel import col, func, select

    from registrar_tui.db import Database
    from registrar_tui.models import Payment
    from registrar_tui.models.base import PaymentMethod
    from registrar_tui.services.audit.verify import verify_chains

    db = Database.open(url)
    try:
        with db.read() as uow:
            posted = int(
                uow.session.exec(
                    select(func.count())
                    .select_from(Payment)
                    .where(
                        col(Payment.method) == PaymentMethod.ONLINE,
                        col(Payment.processor_transaction_id).like("bench_%"),
                    )
                ).one()
            )
            report = verify_chains(uow)
    finally:
        db.dispose()
    doubles = max(0, posted - first_payments)
    verdict = "ok" if report.ok else f"BROKEN: {report.breaks[0]}"
    return doubles, verdict


def _load(
    base: str, key: str, pool: list[tuple[str, int, str]], pace_ms: int
) -> tuple[_Results, float]:
    """CLIENTS clients sending REQUESTS requests each (every `pace_ms`, or flat out at 0)."""
    results = _Results()
    threads = [
        threading.Thread(target=_client, args=(n, base, key, pool, results, pace_ms))
        for n in range(CLIENTS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def _rows(pace_ms: int, results: _Results, elapsed: float) -> list[tuple[str, str]]:
    total = sum(len(times) for times in results.times.values())
    how = f"a request every {pace_ms} ms each" if pace_ms else "flat out"
    label = f"api {CLIENTS}×{REQUESTS} ({WORKERS} workers, {how})"
    rate = f"{total / elapsed:.0f} requests/s ({total} in {elapsed:.1f} s)"
    first = f" (first: {results.errors[0]})" if results.errors else ""
    return [
        (f"{label}: throughput", rate),
        (f"{label}: reads", _percentiles(results.times.get("read", []))),
        (f"{label}: payments", _percentiles(results.times.get("payment", []))),
        (f"{label}: replays", _percentiles(results.times.get("replay", []))),
        (f"{label}: change requests", _percentiles(results.times.get("change", []))),
        (f"{label}: errors", f"{len(results.errors)}{first}"),
    ]


def run(db_url: str) -> list[tuple[str, str]]:
    if not db_url.startswith("postgresql"):
        return [("api load", "PostgreSQL only: python -m bench --only api --pg URL")]
    copy = _copy_database(db_url)
    server = None
    try:
        from registrar_tui.migrate import upgrade

        upgrade(copy)
        key, pool = _prepare(copy)
        port = _free_port()
        server = _start_server(copy, port)
        base = f"http://127.0.0.1:{port}"
        # Paced first (the portal's users), then flat out (what the machine can take).
        paces = [PACE_MS, 0] if PACE_MS > 0 else [0]
        passes = [(pace, _load(base, key, pool, pace)) for pace in paces]
        receipts = _receipts_followed(copy)
        server.terminate()
        server.wait(timeout=120)
        server = None
        first_payments = sum(results.first_payments for _pace, (results, _s) in passes)
        doubles, verdict = _after(copy, first_payments)
        rows: list[tuple[str, str]] = []
        for pace, (results, elapsed) in passes:
            rows += _rows(pace, results, elapsed)
        rows += [
            (f"api {CLIENTS}×{REQUESTS}: receipts handed over (follower)", receipts),
            (f"api {CLIENTS}×{REQUESTS}: double payments", str(doubles)),
            (f"api {CLIENTS}×{REQUESTS}: verify after", verdict),
        ]
        return rows
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=120)
        _drop_database(copy)
