"""Home-screen search: what a clerk types finds the family at the counter."""

from __future__ import annotations

import pytest
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import Guardian, SearchEntry
from registrar_tui.services.core.paging import Page
from registrar_tui.services.search.index import (
    normalise,
    parse_query,
    rebuild_index,
    reindex_family,
)
from registrar_tui.services.search.query import PAGE_SIZE, HitKind, SearchHit, search
from tests.services.search.search_data import Ids, build_families, build_many


def find(db: Database, query: str, **kwargs: int) -> Page[SearchHit]:
    with db.read() as uow:
        return search(uow, query, **kwargs)


def keys(page: Page[SearchHit]) -> list[tuple[HitKind, int]]:
    return [(hit.kind, hit.ref_id) for hit in page.rows]


@pytest.fixture
def ids(database: Database) -> Ids:
    return build_families(database)


def test_normalise_folds_case_and_accents() -> None:
    assert normalise("HÉLÈNE Côté-Œuvre") == "helene cote-oeuvre"


@pytest.mark.parametrize("query", ["helene", "HÉL", "hél", "Helene"])
def test_accents_and_case_do_not_matter(database: Database, ids: Ids, query: str) -> None:
    page = find(database, query)
    assert (HitKind.STUDENT, ids.students["helene"]) in keys(page)
    hit = next(h for h in page.rows if h.ref_id == ids.students["helene"])
    assert hit.kind is HitKind.STUDENT
    assert hit.title == "Tremblay, Hélène"
    assert hit.subtitle == "201337007 · MTL"
    assert hit.family_id == ids.families["tremblay"]
    assert hit.matched == "Hélène"


def test_each_part_of_a_compound_name_matches(database: Database, ids: Ids) -> None:
    page = find(database, "fra")
    assert keys(page) == [(HitKind.STUDENT, ids.students["jf"])]
    assert page.rows[0].matched == "François"
    assert (HitKind.STUDENT, ids.students["zoe"]) in keys(find(database, "oneil"))
    assert (HitKind.STUDENT, ids.students["zoe"]) in keys(find(database, "o'neil"))
    assert (HitKind.FAMILY, ids.families["cote"]) in keys(find(database, "neil"))


def test_every_word_must_match_the_same_record(database: Database, ids: Ids) -> None:
    page = find(database, "trem hel")
    assert keys(page) == [(HitKind.STUDENT, ids.students["helene"])]
    # A family matches on its name and its guardians' names together.
    page = find(database, "cote-o'neil helene")
    assert keys(page) == [(HitKind.FAMILY, ids.families["cote"])]
    assert find(database, "trem emile").rows == ()
    assert keys(find(database, "tremblay jean fr")) == [(HitKind.STUDENT, ids.students["jf"])]
    assert find(database, "tremblay jean fr").rows[0].matched == "Tremblay Jean François"


def test_family_found_by_guardian_name_opens_the_family(database: Database, ids: Ids) -> None:
    page = find(database, "belanger")
    assert keys(page) == [(HitKind.FAMILY, ids.families["tremblay"])]
    hit = page.rows[0]
    assert hit.title == "Famille Tremblay"
    assert hit.subtitle == "F0000001 · Marc Tremblay, Sophie Bélanger"
    assert hit.matched == "Bélanger"
    assert hit.family_id == ids.families["tremblay"]


def test_student_number_and_code_permanent(database: Database, ids: Ids) -> None:
    assert keys(find(database, "201337007")) == [(HitKind.STUDENT, ids.students["helene"])]
    assert keys(find(database, "treh53551201")) == [(HitKind.STUDENT, ids.students["helene"])]
    assert keys(find(database, "TREH 5355 1201")) == [(HitKind.STUDENT, ids.students["helene"])]
    both = keys(find(database, "2013370"))
    assert both == [
        (HitKind.STUDENT, ids.students["helene"]),
        (HitKind.STUDENT, ids.students["jf"]),
    ]


@pytest.mark.parametrize(
    "query",
    ["514-555-0123", "5145550123", "555-0123", "(514) 555-0123", "+1 514 555 0123", "514.555.0123"],
)
def test_phone_in_any_format(database: Database, ids: Ids, query: str) -> None:
    page = find(database, query)
    assert keys(page) == [(HitKind.FAMILY, ids.families["tremblay"])]
    assert page.rows[0].matched == "514-555-0123"


def test_family_title_in_english(database: Database, ids: Ids) -> None:
    set_language("en")
    assert find(database, "gagnon").rows[0].title == "Gagnon family"


def test_second_guardian_phone_finds_the_family(database: Database, ids: Ids) -> None:
    assert keys(find(database, "4505557788")) == [(HitKind.FAMILY, ids.families["tremblay"])]


def test_email_whole_or_its_beginning(database: Database, ids: Ids) -> None:
    for query in ("lucie.gagnon@exemple.ca", "LUCIE.GAGNON@", "lucie.gag"):
        page = find(database, query)
        assert keys(page) == [(HitKind.FAMILY, ids.families["gagnon"])], query
    assert find(database, "lucie.gagnon@exemple.ca").rows[0].matched == "lucie.gagnon@exemple.ca"


def test_invoice_number_whole_or_its_digits(database: Database, ids: Ids) -> None:
    page = find(database, "FAC00000397")
    assert keys(page) == [(HitKind.INVOICE, ids.invoices["397"])]
    hit = page.rows[0]
    assert hit.title == "FAC00000397"
    assert hit.family_id == ids.families["tremblay"]
    assert hit.subtitle == "F0000001 · Famille Tremblay · Hélène Tremblay"
    assert keys(find(database, "fac 397")) == []  # the digits alone, or the whole number
    assert keys(find(database, "397"))[0] == (HitKind.INVOICE, ids.invoices["397"])


def test_exact_identifier_ranked_first(database: Database, ids: Ids) -> None:
    # `397` is invoice 397 exactly, and the beginning of invoice 3970's digits.
    assert keys(find(database, "397")) == [
        (HitKind.INVOICE, ids.invoices["397"]),
        (HitKind.INVOICE, ids.invoices["3970"]),
    ]


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "-", "'"])
def test_empty_query_finds_nothing(database: Database, ids: Ids, query: str) -> None:
    page = find(database, query)
    assert page.rows == ()
    assert not page.has_more


@pytest.mark.parametrize("query", ["%", "_", "[", "%a%", "tr_mblay", "t%", "[t]remblay"])
def test_sql_wildcards_are_literal(database: Database, ids: Ids, query: str) -> None:
    assert find(database, query).rows == ()


def test_control_characters_are_ignored(database: Database, ids: Ids) -> None:
    # A NUL pasted into the box must not reach PostgreSQL (which refuses it in text).
    assert (HitKind.STUDENT, ids.students["helene"]) in keys(find(database, "Hél\x00ène"))


def test_paging_never_exceeds_the_limit(database: Database) -> None:
    family_ids = build_many(database, 30)
    first = find(database, "lavoie")
    assert len(first.rows) == PAGE_SIZE
    assert first.offset == 0 and first.has_more
    seen = keys(first)
    offset = PAGE_SIZE
    while True:
        page = find(database, "lavoie", offset=offset)
        assert len(page.rows) <= PAGE_SIZE
        seen += keys(page)
        offset += len(page.rows)
        if not page.has_more:
            break
    # 30 families and 30 students, each exactly once, families (by id) first.
    assert len(seen) == 60 and len(set(seen)) == 60
    assert [ref for kind, ref in seen[:30]] == family_ids
    small = find(database, "la", limit=5, offset=3)
    assert len(small.rows) == 5 and small.has_more and small.offset == 3
    last = find(database, "lavoie", offset=55)
    assert len(last.rows) == 5 and not last.has_more


def test_reindex_after_renaming_a_guardian(database: Database, ids: Ids) -> None:
    with database.write() as uow:
        guardian = uow.session.exec(
            select(Guardian).where(Guardian.id == ids.guardians["sophie"])
        ).one()
        guardian.last_name = "Desrosiers"  # not flushed: reindex_family sees it anyway
        reindex_family(uow, ids.families["tremblay"])
    assert find(database, "belanger").rows == ()
    assert keys(find(database, "desros")) == [(HitKind.FAMILY, ids.families["tremblay"])]
    # The rest of the family is still found, once.
    assert keys(find(database, "FAC00000398")) == [(HitKind.INVOICE, ids.invoices["398"])]
    assert keys(find(database, "201337008")) == [(HitKind.STUDENT, ids.students["jf"])]
    assert keys(find(database, "F0000001")) == [(HitKind.FAMILY, ids.families["tremblay"])]


def test_rebuild_replaces_the_whole_index(database: Database, ids: Ids) -> None:
    with database.write() as uow:
        first = rebuild_index(uow)
        second = rebuild_index(uow)
        stored = len(uow.session.exec(select(SearchEntry)).all())
    assert first == second == stored > 0
    assert keys(find(database, "fra")) == [(HitKind.STUDENT, ids.students["jf"])]


def test_parse_query() -> None:
    assert parse_query("  Trem, Hél ") == ["trem", "hel"]
    assert parse_query("514 555-0123") == ["5145550123"]
    assert parse_query("Jean-Fr") == ["jean", "fr"]
    assert parse_query("a.b@x.ca") == ["a.b@x.ca"]


def test_letters_find_names_before_codes_permanents(database: Database, ids: Ids) -> None:
    """`tre` is the start of a name: the Tremblay family comes first, not every student
    whose code permanent starts with TRE; a digit makes it a code search again."""
    hits = keys(find(database, "tre"))
    assert hits[0] == (HitKind.FAMILY, ids.families["tremblay"])
    assert keys(find(database, "treh5")) == [(HitKind.STUDENT, ids.students["helene"])]
