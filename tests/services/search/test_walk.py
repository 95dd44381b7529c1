"""How the search walks the token index: the codes permanent filed apart (`is_code_permanent`,
which the index leads with), and a walk eaten into by duplicates going on in further
batches. Neither may change which records a page holds, nor their order."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import SearchEntry
from registrar_tui.services.search.index import (
    index_parts,
    is_code_token,
    rebuild_index,
    reindex_families,
    reindex_family,
)
from registrar_tui.services.search.query import HitKind, search
from tests.services.search.search_data import (
    Ids,
    add_establishment,
    add_family,
    add_guardian,
    add_student,
    build_families,
    ranking,
)


@pytest.fixture
def ids(database: Database) -> Ids:
    return build_families(database)


@contextmanager
def _walks(db: Database) -> Iterator[list[str]]:
    """The statements that walked the token index while the block ran."""
    statements: list[str] = []

    def _note(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM search_entry AS e" in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", _note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", _note)


def _build_many_tokens(db: Database) -> None:
    """5 Marcil families whose guardians are Marc Marcil-Marcoux and Martine Marceau: each
    has 6 tokens starting with `ma` (`marc`, `marceau`, `marcil`, `marcilmarcoux`,
    `marcoux`, `martine`), so a walk meets each family again and again; then 9 Mayer
    families, found once each, and a student of each Marcil family not named Ma…."""
    with db.write() as uow:
        site = add_establishment(uow, "QC")
        for index in range(5):
            family = add_family(uow, site, f"F8{index:06d}", "Marcil")
            add_guardian(uow, family, "Marc", "Marcil-Marcoux")
            add_guardian(uow, family, "Martine", "Marceau", payer=False)
            add_student(uow, family, site, "Zoé", "Roy", f"40{index:07d}")
        for index in range(9):
            family = add_family(uow, site, f"F7{index:06d}", "Mayer")
            add_guardian(uow, family, "Paul", "Mayer")
        rebuild_index(uow)


def test_duplicates_in_a_walk_change_neither_the_records_nor_their_order(
    database: Database,
) -> None:
    _build_many_tokens(database)
    for text in ("ma", "marc", "ma ma", "marc m", "ma pa", "ma zo", "may"):
        for limit, offset in ((12, 0), (12, 12), (5, 20), (60, 0)):
            with _walks(database) as walks, database.read() as uow:
                page = search(uow, text, limit=limit, offset=offset)
            expected = ranking(database, text, offset + limit + 1)
            found = [(hit.kind.value, hit.ref_id) for hit in page.rows]
            assert found == expected[offset : offset + limit], (text, limit, offset)
            assert page.has_more == (len(expected) > offset + limit), (text, limit, offset)
            if text == "ma" and (limit, offset) == (12, 0):
                # The first batch (13 wanted + 4 rows) held the 5 Marcil families only: the
                # walk went on after it, batch after batch, and found the Mayer families.
                assert len(walks) >= 3
                assert [hit.title for hit in page.rows].count("Famille Mayer") == 7


def test_letters_walk_past_no_code_and_a_code_typed_merges_both_parts(
    database: Database,
) -> None:
    with database.write() as uow:
        site = add_establishment(uow)
        family = add_family(uow, site, "F0000001", "Tremblay")
        # An e-mail whose local part begins like the code, and one shaped like a code.
        add_guardian(uow, family, "Marc", "Tremblay", email="treh5355@exemple.ca")
        other = add_family(uow, site, "F0000002", "Roy")
        add_guardian(uow, other, "Lise", "Roy", email="treh53551299@exemple.ca")
        helene = add_student(uow, family, site, "Hélène", "Tremblay", "201337007", "TREH53551201")
        reindex_family(uow, family)
        reindex_family(uow, other)
    with database.read() as uow:
        typed_code = search(uow, "treh5")
        letters = search(uow, "treh")
    # Token order across both parts: `treh5355` (e-mail, Tremblay) < `treh53551201` (code,
    # Hélène) < `treh53551299` (code-shaped e-mail, Roy).
    assert [(hit.kind, hit.ref_id) for hit in typed_code.rows] == [
        (HitKind.FAMILY, family),
        (HitKind.STUDENT, helene),
        (HitKind.FAMILY, other),
    ]
    assert [(h.kind.value, h.ref_id) for h in typed_code.rows] == ranking(database, "treh5", 13)
    # Letters alone: the codes are not matched, the e-mails' whole tokens are.
    assert [(h.kind.value, h.ref_id) for h in letters.rows] == ranking(database, "treh", 13)
    assert (HitKind.STUDENT, helene) not in [(hit.kind, hit.ref_id) for hit in letters.rows]


def test_every_entry_is_marked_by_its_shape_however_it_was_written(
    database: Database, ids: Ids
) -> None:
    with database.write() as uow:
        reindex_family(uow, ids.families["tremblay"])
        reindex_families(uow, [ids.families["gagnon"], ids.families["cote"]])
    with database.read() as uow:
        entries = uow.session.exec(select(SearchEntry.token, SearchEntry.is_code_permanent)).all()
    assert {token for token, marked in entries if marked} == {"treh53551201", "trej12031001"}
    assert all(marked == is_code_token(token) for token, marked in entries)


def test_index_parts_name_the_code_part_only_where_a_code_may_begin() -> None:
    assert index_parts(["5145550123", "lucie.gagnon@exemple.ca", "tremblay"]) == [False]
    assert index_parts(["tre"]) == [False, True]
    assert index_parts(["treh5355"]) == [False, True]
    assert index_parts(["treh53551201x"]) == [False]
