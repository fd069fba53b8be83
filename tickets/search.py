"""Search: the requests a person may see, found by number, title, description, form answers and
comments (internal notes only for the provider's agents and head), in Chinese and English.

On PostgreSQL a request matches when every word of the query is in its text or in one of its
comments (`ILIKE`, served by pg_trgm's GIN indexes: a Chinese text has no spaces between words,
so any substring of three characters or more is found through the index, and shorter ones by a
scan), or when the query matches its `simple` full-text vector (GIN too; words in any order and
form, e.g. "printers broken"). Matches are ranked by full-text rank, a match in the title and
the number. On SQLite (`make run`), the same words are matched with `icontains`.

The candidates of each kind are read through their own index and combined with UNION before the
visibility rule (`Ticket.objects.visible_to`) is checked on them alone. Highlighting splits text
into (text, is_match) segments here; the template marks the matches, escaped like any text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import BooleanField, Case, F, Func, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from departments.models import Membership
from tickets.models import Event, Ticket

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
EXCERPT_WIDTH = 160
MAX_NUMBER = 2**63 - 1
REFERENCE = re.compile(r"#?(?:[^\W\d_][\w]*-)?(\d{1,19})", re.ASCII)

Segments = list[tuple[str, bool]]


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search requests"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        help_text=_("A number (FIN-42), words of the title, description, answers or comments."),
    )


@dataclass(frozen=True)
class Query:
    """What was typed: its words (at most MAX_TERMS) and the request number it may be."""

    text: str
    terms: tuple[str, ...]
    number: int | None

    @classmethod
    def parse(cls, text: str) -> Query:
        text = " ".join(text.split())
        terms = tuple(dict.fromkeys(text.split()))[:MAX_TERMS]
        match = REFERENCE.fullmatch(text)
        number = int(match.group(1)) if match and int(match.group(1)) <= MAX_NUMBER else None
        return cls(text, terms, number)


class ILike(Func):
    """`expression ILIKE pattern` (PostgreSQL): the form pg_trgm's GIN indexes serve, where
    Django's `icontains` (UPPER(…) LIKE UPPER(…)) would need an index on UPPER(…)."""

    arg_joiner = " ILIKE "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _contains_all(field: str, terms: tuple[str, ...]) -> Q:
    """Every term occurs in `field`, whatever the case."""
    if connection.vendor != "postgresql":
        return Q(*(Q(**{f"{field}__icontains": term}) for term in terms))
    return Q(*(ILike(F(field), Value(f"%{_like_escaped(term)}%")) for term in terms))


def _like_escaped(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _vector() -> SearchVector:
    # The expression of the GIN index ticket_search_vector (migration 0009), to the letter.
    return SearchVector("search_text", config="simple")


def _full_text(query: Query) -> SearchQuery:
    return SearchQuery(query.text, config="simple", search_type="websearch")


def _provider_side(user) -> QuerySet[Membership]:
    """The departments whose internal notes `user` reads: where they are agent or head."""
    return Membership.objects.agents().filter(user=user).values("department")


def comments_matching(user, query: Query) -> QuerySet[Event]:
    """Comments and internal notes containing every word; internal notes only of requests
    whose provider `user` works for (every one, for an administrator)."""
    comments = Event.objects.filter(
        _contains_all("text", query.terms), kind__in=[Event.Kind.COMMENT, Event.Kind.NOTE]
    )
    if not user.is_superuser:
        provider_side = Q(ticket__provider__in=_provider_side(user))
        comments = comments.filter(Q(is_internal=False) | provider_side)
    return comments


def search(user, query: Query) -> QuerySet[Ticket]:
    """The requests `user` may see that match `query`, the best first (then the newest)."""
    if not query.terms:
        return Ticket.objects.none()
    # Each branch unordered: the UNION is only a set of ids.
    by_text = Ticket.objects.filter(_contains_all("search_text", query.terms))
    by_text = by_text.values("pk").order_by()
    by_comment = comments_matching(user, query).values("ticket_id").order_by()
    candidates = by_text.union(by_comment)
    if connection.vendor == "postgresql":
        by_words = (
            Ticket.objects.annotate(document=_vector())
            .filter(document=_full_text(query))
            .values("pk")
            .order_by()
        )
        candidates = candidates.union(by_words)
    if query.number is not None:
        by_number = Ticket.objects.filter(pk=query.number).values("pk").order_by()
        candidates = candidates.union(by_number)
    in_title = Case(When(_contains_all("title", query.terms), then=1.0), default=0.0)
    is_number = Case(When(pk=query.number or 0, then=10.0), default=0.0)
    rank = in_title + is_number
    if connection.vendor == "postgresql":
        rank = rank + SearchRank(_vector(), _full_text(query))
    return (
        Ticket.objects.visible_to(user)
        .filter(pk__in=candidates)
        .annotate(rank=rank)
        .select_related("provider", "service")
        .order_by("-rank", "-filed_at", "-pk")
    )


@dataclass(frozen=True)
class Hit:
    """A request found, with its title and an excerpt split into (text, is_match) segments;
    `found_in` says where the excerpt comes from ("text" or "comment")."""

    ticket: Ticket
    title: Segments
    excerpt: Segments
    found_in: str


def hits(user, tickets: list[Ticket], query: Query) -> list[Hit]:
    """The page's requests as search results: one query for the comments that matched."""
    comments: dict[int, str] = {}
    matching = comments_matching(user, query).filter(ticket__in=[t.pk for t in tickets])
    for ticket_id, text in matching.order_by("at", "pk").values_list("ticket_id", "text"):
        comments.setdefault(ticket_id, text)
    found = []
    for ticket in tickets:
        body = ticket.search_text[len(ticket.title) :].strip()
        found_in, excerpt = "", []
        if _first_match(body, query.terms) is not None:
            found_in, excerpt = "text", segments(_excerpt(body, query.terms), query.terms)
        elif ticket.pk in comments:
            found_in = "comment"
            excerpt = segments(_excerpt(comments[ticket.pk], query.terms), query.terms)
        elif body:
            found_in, excerpt = "text", [(_excerpt(body, query.terms), False)]
        found.append(Hit(ticket, segments(ticket.title, query.terms), excerpt, found_in))
    return found


def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    if not terms:
        return None
    longest_first = sorted(terms, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in longest_first), re.IGNORECASE)


def _first_match(text: str, terms: tuple[str, ...]) -> int | None:
    pattern = _pattern(terms)
    match = pattern.search(text) if pattern else None
    return match.start() if match else None


def segments(text: str, terms: tuple[str, ...]) -> Segments:
    """`text` cut into (piece, is_match) in order: every occurrence of a term, whatever its
    case, is a piece of its own marked True."""
    pattern = _pattern(terms)
    if pattern is None:
        return [(text, False)] if text else []
    pieces: Segments = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append((text[position : match.start()], False))
        pieces.append((match.group(), True))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], False))
    return pieces


def _excerpt(text: str, terms: tuple[str, ...]) -> str:
    """About EXCERPT_WIDTH characters of `text` on one line, around its first match."""
    text = " ".join(text.split())
    start = max(0, (_first_match(text, terms) or 0) - EXCERPT_WIDTH // 3)
    piece = text[start : start + EXCERPT_WIDTH]
    return ("…" if start else "") + piece + ("…" if start + EXCERPT_WIDTH < len(text) else "")


__all__ = ["Hit", "Query", "SearchForm", "hits", "search", "segments"]
