"""The search page: one box finding the requests the reader may see (tickets.search)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from common.pagination import CappedPaginator
from tickets import search

RESULTS_PER_PAGE = 25


def search_requests(request: HttpRequest) -> HttpResponse:
    """GET ?q=…: the results, ranked and highlighted; no query, no results (the empty box)."""
    form = search.SearchForm(request.GET)
    context = {"form": form, "query": ""}
    if not form.is_valid():
        return render(request, "tickets/search.html", context, status=400)
    query = search.Query.parse(form.cleaned_data["q"])
    if query.terms:
        paginator = CappedPaginator(search.search(request.user, query), RESULTS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = search.hits(request.user, list(page.object_list), query)
        context.update(page=page, query=query.text)
    return render(request, "tickets/search.html", context)
