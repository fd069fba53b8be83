"""Pages of long lists that never count more rows than anyone would page through.

Django's Paginator counts every row of the list (a `COUNT(*)` over, say, a department's 100,000
open requests) to say "page 1 of 4,000". `CappedPaginator` counts at most `cap` + 1 rows (a
`COUNT(*)` over a `LIMIT`, which an index in the list's order answers in the first rows), and
says "more than 1,000" beyond: past that, people narrow the list with its filters."""

from __future__ import annotations

from functools import cached_property

from django.core.paginator import Paginator

COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A Paginator whose count stops at `cap`; `capped` tells whether more rows exist."""

    def __init__(self, object_list, per_page: int, cap: int | None = None, **options) -> None:
        super().__init__(object_list, per_page, **options)
        self.cap = cap or COUNT_CAP

    @cached_property
    def counted(self) -> int:
        """The rows of the list, counted up to `cap` + 1."""
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @property
    def capped(self) -> bool:
        """More rows exist than the pages reach."""
        return self.counted > self.cap
