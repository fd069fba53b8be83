from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements import selectors, services
from agreements.forms import AgreementForm, DecisionForm, RevisionForm
from agreements.models import Agreement, AgreementEvent, AgreementTarget, Service
from departments.models import Department

SERVICES_PER_PAGE = 30
AGREEMENTS_PER_PAGE = 30


def catalogue(request: HttpRequest) -> HttpResponse:
    provider_code = request.GET.get("provider", "").strip()
    query = request.GET.get("q", "").strip()
    services_ = selectors.catalogue(provider_code=provider_code, query=query)
    page = Paginator(services_, SERVICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/catalogue.html",
        {
            "page": page,
            "query": query,
            "provider_code": provider_code,
            "providers": Department.objects.current().filter(services__is_active=True).distinct(),
        },
    )


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(
        Service.objects.active()
        .select_related("provider")
        .prefetch_related("approval_steps__person", "approval_steps__department"),
        pk=pk,
    )
    my_departments = set(request.user.memberships.values_list("department", flat=True))
    return render(
        request,
        "agreements/service_detail.html",
        {
            "service": service,
            "agreements": selectors.agreements_in_force_for(service),
            "my_departments": my_departments,
        },
    )


def agreement_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    agreements = (
        Agreement.objects.visible_to(request.user)
        .select_related("provider")
        .prefetch_related("customers")
        .order_by("provider__name", "title", "-version")
    )
    if status in Agreement.Status.values:
        agreements = agreements.filter(status=status)
    page = Paginator(agreements, AGREEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "agreements/agreement_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Agreement.Status.choices,
            "awaiting": selectors.awaiting_signature(request.user),
            "headed_departments": Department.objects.current().filter(
                memberships__user=request.user, memberships__role="head"
            ),
        },
    )


def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user)
        .select_related("provider", "calendar", "created_by")
        .prefetch_related(
            "customers",
            "services",
            Prefetch("targets", AgreementTarget.objects.order_by("priority")),
            "approval_windows",
            Prefetch("events", AgreementEvent.objects.select_related("actor", "department")),
        ),
        pk=pk,
    )
    versions = (
        Agreement.objects.visible_to(request.user)
        .filter(series=agreement.series)
        .order_by("-version")
    )
    return render(
        request,
        "agreements/agreement_detail.html",
        {
            "agreement": agreement,
            "versions": versions,
            "can_manage": services.can_manage(request.user, agreement),
            "to_sign": services.departments_to_sign(request.user, agreement),
        },
    )


def agreement_create(request: HttpRequest, code: str) -> HttpResponse:
    provider = get_object_or_404(Department.objects.current(), code__iexact=code)
    if not (request.user.is_superuser or provider.is_headed_by(request.user)):
        raise PermissionDenied(
            _("Only the head of %(department)s drafts its agreements.") % {"department": provider}
        )
    form = AgreementForm(request.POST or None, provider=provider)
    return _save_draft(request, form, revision=None)


def agreement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related("provider"), pk=pk
    )
    if not services.can_manage(request.user, agreement):
        raise PermissionDenied(_("Only the head of the provider department edits its agreements."))
    if agreement.status != Agreement.Status.DRAFT:
        messages.error(request, _("Only a draft can be edited; start a new version instead."))
        return redirect(agreement)
    form = AgreementForm(request.POST or None, instance=agreement, provider=agreement.provider)
    revision = agreement.revision
    if request.method == "POST":
        posted = RevisionForm(request.POST)
        # A missing or malformed revision reads as a stale page: the save answers 409.
        revision = posted.cleaned_data["revision"] if posted.is_valid() else -1
    return _save_draft(request, form, revision=revision)


def _save_draft(request: HttpRequest, form: AgreementForm, revision: int | None) -> HttpResponse:
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                agreement = services.agreement_save_draft(
                    agreement=form.instance,
                    by=request.user,
                    revision=revision,
                    services=form.cleaned_data["services"],
                    customers=form.cleaned_data["customers"],
                    targets=form.targets(),
                    approval_windows=form.approval_windows(),
                )
            except services.AgreementError as error:
                form.add_error(None, str(error))
                status = 409 if isinstance(error, services.StaleAgreement) else 400
            else:
                messages.success(request, _("Draft saved. Propose it when it is ready."))
                return redirect(agreement)
    return render(
        request,
        "agreements/agreement_form.html",
        {"form": form, "provider": form.instance.provider, "revision": revision},
        status=status,
    )


def _decide(request: HttpRequest, pk: int, act, success: str) -> HttpResponse:
    """Run one life-cycle step posted from the agreement page; errors come back as messages."""
    agreement = get_object_or_404(Agreement.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete; reload the page and try again."))
        return redirect(agreement)
    try:
        result = act(agreement, form.cleaned_data)
    except services.AgreementError as error:
        messages.error(request, str(error))
        return redirect(agreement)
    messages.success(request, success)
    return redirect(result)


def _signing_department(code: str) -> Department | None:
    """The customer department signed for; none for a company-wide agreement."""
    return get_object_or_404(Department, code__iexact=code) if code else None


@require_POST
def agreement_propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda agreement, data: services.agreement_propose(
            agreement_id=agreement.pk, by=request.user, revision=data["revision"]
        ),
        _("Proposed. The customer departments' heads are asked to accept it."),
    )


@require_POST
def agreement_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda agreement, data: services.agreement_withdraw(
            agreement_id=agreement.pk, by=request.user, revision=data["revision"]
        ),
        _("Proposal withdrawn; it is a draft again."),
    )


@require_POST
def agreement_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda agreement, data: services.agreement_accept(
            agreement_id=agreement.pk,
            by=request.user,
            department=_signing_department(data["department"]),
            revision=data["revision"],
            comment=data["comment"],
        ),
        _("Accepted."),
    )


@require_POST
def agreement_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda agreement, data: services.agreement_reject(
            agreement_id=agreement.pk,
            by=request.user,
            department=_signing_department(data["department"]),
            revision=data["revision"],
            comment=data["comment"],
        ),
        _("Rejected; the provider can rework the draft."),
    )


@require_POST
def agreement_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        lambda agreement, data: services.agreement_start_new_version(
            agreement_id=agreement.pk, by=request.user
        ),
        _("New version drafted. The current version stays in force until this one is accepted."),
    )
