"""Benchmarks: `make bench` (= `python -m bench`).

Every module `bench/bench_*.py` defines `run(db_url: str) -> list[tuple[str, str]]`
returning (what was measured, figure) rows; `python -m bench` prepares the 50,000-family
SQLite database once (var/bench/bench-50k.sqlite) and prints every module's rows.
To add a benchmark, drop a `bench_<name>.py` module with such a `run` here.
"""
