"""The disputes pages: the list (to decide, and history), a dispute with its trail and the
decision form, and the form that opens a dispute of a breach."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.pagination import CappedPaginator
from disputes import selectors, services
from disputes.forms import DecideDisputeForm, OpenDisputeForm
from disputes.models import Dispute

PER_PAGE = 25


def dispute_list(request: HttpRequest) -> HttpResponse:
    """What waits on me, then every dispute I may read (paginated)."""
    history = CappedPaginator(selectors.disputes_seen_by(request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "disputes/list.html",
        {"to_decide": list(selectors.disputes_to_decide(request.user)[:100]), "page": history},
    )


def dispute_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible(request, pk))


@require_POST
def dispute_decide(request: HttpRequest, pk: int) -> HttpResponse:
    dispute = _visible(request, pk)
    if not services.may_decide(request.user, dispute):
        if not dispute.is_open:
            return _render_detail(
                request, dispute, stale=_("This dispute was already decided."), status=409
            )
        if reason := services.went_up_past(request.user, dispute):
            return _render_detail(request, dispute, stale=reason, status=409)
        raise PermissionDenied(_("This dispute is not yours to decide."))
    form = DecideDisputeForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, dispute, form=form, status=400)
    try:
        services.dispute_decide(
            dispute_id=dispute.pk,
            by=request.user,
            waive=form.cleaned_data["decision"] == "waive",
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleDispute as error:
        dispute.refresh_from_db()
        return _render_detail(request, dispute, stale=str(error), status=409)
    except ValidationError as error:
        _add_errors(form, error)
        return _render_detail(request, dispute, form=form, status=400)
    messages.success(request, _("Your decision is recorded."))
    return redirect(dispute)


def dispute_open(request: HttpRequest, breach_id: int) -> HttpResponse:
    """The provider's head disputes a breach of one of the request's targets."""
    breach = selectors.breach_seen_by(request.user, breach_id)
    if breach is None:
        raise Http404
    existing = Dispute.objects.filter(breach=breach).first()
    if existing is not None:
        return redirect(existing)
    if not services.may_open(request.user, breach):
        raise PermissionDenied(_("Only the head of the provider department disputes a breach."))
    form = OpenDisputeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                dispute = services.dispute_open(
                    breach_id=breach.pk, by=request.user, **form.cleaned_data
                )
            except services.StaleDispute:
                return redirect(Dispute.objects.get(breach=breach))
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The breach is disputed; the customer's head decides."))
                return redirect(dispute)
        status = 400
    return render(request, "disputes/open.html", {"breach": breach, "form": form}, status=status)


def _visible(request: HttpRequest, pk: int) -> Dispute:
    dispute = selectors.disputes_seen_by(request.user).filter(pk=pk).first()
    if dispute is None:
        raise Http404
    return dispute


def _render_detail(
    request: HttpRequest, dispute: Dispute, *, form=None, stale: str = "", status: int = 200
) -> HttpResponse:
    may_decide = services.may_decide(request.user, dispute)
    if may_decide and form is None:
        form = DecideDisputeForm(initial={"version": dispute.version})
    context = {
        "dispute": dispute,
        "steps": list(selectors.trail(dispute)),
        "form": form if may_decide else None,
        "stale": stale,
    }
    return render(request, "disputes/detail.html", context, status=status)


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error.messages)
