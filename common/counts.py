"""Counts as subquery expressions, so that one query can hold several counts that PostgreSQL
answers each from its own index (an index-only scan when the index holds every column the count
reads), where one COUNT with several FILTERs reads every row that any of them needs."""

from django.db.models import F, Func, IntegerField, QuerySet, Subquery
from django.db.models.functions import Coalesce


def subquery_count(rows: QuerySet) -> Coalesce:
    """The number of `rows` (usually filtered by an OuterRef) as an expression, 0 when none."""
    counted = rows.order_by().annotate(number=Func(F("pk"), function="COUNT")).values("number")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)
