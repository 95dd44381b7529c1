"""`python -m bench [--only NAME] [--db PATH] [--families N] [--pg URL]`

Prepares the benchmark database if it is missing (schema by the migrations, data by the
demo generator: 50,000 families, seed 2026), then runs every `bench/bench_*.py` module's
`run(db_url)` and prints one table. With `--pg URL` the modules also run against that
PostgreSQL database (filled the same way when it is empty).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "var" / "bench" / "bench-50k.sqlite"
FAMILIES = 50_000
SEED = 2026


def _fill(url: str, families: int) -> None:
    from registrar_tui.db import Database
    from registrar_tui.demo import database_is_empty, generate_demo
    from registrar_tui.migrate import upgrade

    upgrade(url)
    db = Database.open(url)
    try:
        if database_is_empty(db):
            print(f"bench: generating {families} demo families into {db.url} …", flush=True)
            summary = generate_demo(db, families=families, seed=SEED)
            print(f"bench: {summary}", flush=True)
    finally:
        db.dispose()


def prepare_sqlite(path: Path, families: int) -> str:
    """The URL of the SQLite benchmark database, generated first when missing.

    It is generated under a temporary name and renamed at the end, so an interrupted
    generation never leaves a half-filled database behind.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        for leftover in path.parent.glob(partial.name + "*"):
            leftover.unlink()
        _fill(f"sqlite:///{partial}", families)
        partial.rename(path)
    url = f"sqlite:///{path}"
    from registrar_tui.migrate import upgrade

    upgrade(url)  # an older benchmark file follows the schema
    return url


def _create_pg_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` when it does not exist yet."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    target = make_url(url)
    server = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            found = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).first()
            if found is None:
                name = str(target.database).replace('"', '""')
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        server.dispose()


def prepare_pg(url: str, families: int) -> str:
    from registrar_tui.db import normalise_url

    url = normalise_url(url)
    _create_pg_database(url)
    _fill(url, families)
    return url


def modules(only: str | None) -> list[str]:
    folder = Path(__file__).resolve().parent
    names = sorted(
        info.name for info in pkgutil.iter_modules([str(folder)]) if info.name.startswith("bench_")
    )
    return [name for name in names if only is None or only in name]


def run_all(targets: list[tuple[str, str]], names: list[str]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for backend, url in targets:
            started = time.perf_counter()
            try:
                result = module.run(url)
            except Exception:
                traceback.print_exc()
                result = [(f"{name}", "FAILED (traceback above)")]
            suffix = "" if backend == "sqlite" else f" [{backend}]"
            rows += [(f"{label}{suffix}", figure) for label, figure in result]
            print(
                f"bench: {name} on {backend} took {time.perf_counter() - started:.1f} s",
                file=sys.stderr,
                flush=True,
            )
    return rows


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max((len(label) for label, _ in rows), default=10)
    print()
    print(f"{'benchmark':<{width}}  figure")
    print(f"{'-' * width}  {'-' * 24}")
    for label, figure in rows:
        print(f"{label:<{width}}  {figure}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", help="run only the modules whose name contains this")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help="SQLite benchmark file")
    parser.add_argument("--families", type=int, default=FAMILIES)
    parser.add_argument("--pg", metavar="URL", help="also run against this PostgreSQL database")
    parser.add_argument("--no-sqlite", action="store_true", help="with --pg: PostgreSQL only")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    targets: list[tuple[str, str]] = []
    if not args.no_sqlite:
        targets.append(("sqlite", prepare_sqlite(args.db, args.families)))
    if args.pg:
        targets.append(("postgresql", prepare_pg(args.pg, args.families)))
    rows = run_all(targets, modules(args.only))
    print_table(rows)
    return 1 if any(figure.startswith("FAILED") for _, figure in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
