"""activities_0001 carries an activity's single school and level filters over to its
lists, numbers the existing items 1, 2, … per activity, and gives the first school and
level back on the way down (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import create_engine, pool, text

from registrar_tui import migrate

BEFORE = "year_0001"


def _run(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """Run each statement in one transaction; the rows of each (none for a write)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        found: list[list[tuple[object, ...]]] = []
        with engine.begin() as conn:
            for sql in statements:
                result = conn.execute(text(sql))
                found.append(list(result.all()) if result.returns_rows else [])
        return found
    finally:
        engine.dispose()


def test_filters_become_lists_and_items_get_codes(empty_database_url: str) -> None:
    url = empty_database_url
    migrate.upgrade(url, BEFORE)
    _run(
        url,
        "INSERT INTO activity (id, kind, title, description, held_on, registration_deadline,"
        " school_filter, level_filter, created_at) VALUES"
        " (1, 'event', 'Camp', '', '2027-07-05', '2027-06-01', 'École Saint-Louis',"
        "  'Primaire', '2026-10-01 12:00:00'),"
        " (2, 'outing', 'Sortie', '', '2026-12-05', '2026-11-20', '', '',"
        "  '2026-10-01 12:00:00')",
        "INSERT INTO activity_item (id, activity_id, label, unit_price_cents) VALUES"
        " (1, 2, 'Billet', 1800), (2, 1, 'Semaine', 27500), (3, 2, 'Autobus', 700)",
    )
    migrate.upgrade(url)
    schools, levels, items, states = _run(
        url,
        "SELECT activity_id, school_name FROM activity_school",
        "SELECT activity_id, level FROM activity_level",
        "SELECT id, code, max_quantity FROM activity_item ORDER BY id",
        "SELECT id, closed_at, cancelled_at FROM activity ORDER BY id",
    )
    assert schools == [(1, "École Saint-Louis")] and levels == [(1, "Primaire")]
    assert items == [(1, "1", None), (2, "1", None), (3, "2", None)]
    assert states == [(1, None, None), (2, None, None)]

    migrate.downgrade(url, BEFORE)
    [filters] = _run(url, "SELECT id, school_filter, level_filter FROM activity ORDER BY id")
    assert filters == [(1, "École Saint-Louis", "Primaire"), (2, "", "")]
