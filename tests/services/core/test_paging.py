"""The one page type: what the status lines and the page keys of every list rely on."""

from __future__ import annotations

from registrar_tui.services.core.paging import Page


def test_a_counted_page_knows_its_rows_numbers_and_neighbours() -> None:
    items = list(range(23))
    pages = [Page.slice(items, offset, 10) for offset in (0, 10, 20)]
    assert [page.rows for page in pages][2] == (20, 21, 22)
    assert [(page.first_row, page.last_row, page.page_number) for page in pages] == [
        (1, 10, 1),
        (11, 20, 2),
        (21, 23, 3),
    ]
    assert [(page.has_previous, page.has_more) for page in pages] == [
        (False, True),
        (True, True),
        (True, False),
    ]
    assert all(page.total_count == 23 for page in pages)


def test_an_uncounted_page_says_whether_more_follow() -> None:
    page = Page.probed(("a", "b"), 2, 2, True)
    assert page.total_count is None and page.has_more and page.has_previous
    assert (page.first_row, page.last_row, page.page_number) == (3, 4, 2)
    last = Page.probed(("c",), 4, 2, False)
    assert not last.has_more


def test_an_empty_list_is_one_empty_page() -> None:
    page = Page.slice([], 0, 10)
    assert page.rows == () and page.total_count == 0
    assert not page.has_more and not page.has_previous
