"""The signed-in person's own API token page, and the confirmation of each change to it. There
is nobody else's token to name: every view works on `request.user`'s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from directory.api_tokens import (
    StaleApiToken,
    api_token_create,
    api_token_delete,
    api_token_of,
    api_token_replace,
    fingerprint,
)
from directory.forms import ApiTokenChangeForm


@dataclass(frozen=True)
class Change:
    """A change of one's token: its service, whether there must be a token to change, the
    confirmation's question and button, and the message once done."""

    service: Callable[..., object]
    needs_token: bool
    question: str
    button: str
    done: str


CHANGES = {
    "create": Change(
        api_token_create,
        needs_token=False,
        question=gettext_lazy("Create an API token?"),
        button=gettext_lazy("Create the token"),
        done=gettext_lazy("Your API token is created."),
    ),
    "replace": Change(
        api_token_replace,
        needs_token=True,
        question=gettext_lazy(
            "Replace your API token? The current one stops working at once: scripts and tools "
            "that use it need the new one."
        ),
        button=gettext_lazy("Replace the token"),
        done=gettext_lazy("Your API token is replaced; the old one no longer works."),
    ),
    "delete": Change(
        api_token_delete,
        needs_token=True,
        question=gettext_lazy(
            "Delete your API token? It stops working at once, and the REST API no longer "
            "answers scripts and tools that use it."
        ),
        button=gettext_lazy("Delete the token"),
        done=gettext_lazy("Your API token is deleted."),
    ),
}


def api_token(request: HttpRequest) -> HttpResponse:
    """The person's own API token, with what they may do with it."""
    return render(request, "directory/api_token.html", {"token": api_token_of(request.user)})


@require_http_methods(["GET", "POST"])
def change_api_token(request: HttpRequest, name: str) -> HttpResponse:
    """Asks to confirm a change of the person's token (GET), and makes it (POST)."""
    change = CHANGES.get(name)
    if change is None:
        raise Http404
    token = api_token_of(request.user)
    if request.method == "GET" and change.needs_token != (token is not None):
        return redirect("api_token")  # nothing to confirm: the page offers what applies
    form = ApiTokenChangeForm(
        request.POST if request.method == "POST" else None, initial={"seen": fingerprint(token)}
    )
    problem, status = "", 200
    if form.is_bound:
        problem, status = _("This confirmation is not valid. Please start again."), 400
        if form.is_valid():
            try:
                change.service(user=request.user, seen=form.cleaned_data["seen"])
            except StaleApiToken as error:
                problem, status = str(error), error.status_code
            except PermissionDenied as error:
                problem, status = str(error), 403
            else:
                messages.success(request, change.done)
                return redirect("api_token")
    context = {"form": form, "change": change, "problem": problem}
    return render(request, "directory/api_token_confirm.html", context, status=status)
