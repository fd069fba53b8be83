"""Pages of the surveys app for HR (campaigns, the question bank, sending progress) and the
public answer page that an e-mailed link opens without logging in.

Campaign pages read campaigns through `Campaign.objects.manageable_by`, so they are a 404 for
anyone but HR and administrators; results pages are in surveys/result_views.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_POST

from departments.models import preferred_language, sees_company_reports
from outbox.models import Message
from surveys import letters, services
from surveys.forms import AnswerForm, CampaignForm, PageForm, QuestionForm
from surveys.launch_preview import launch_preview
from surveys.links import InvalidAnswerLink, invitation_from_token
from surveys.models import Campaign, Invitation, Question, Wave

CAMPAIGNS_PER_PAGE = 20


def home(request: HttpRequest) -> HttpResponse:
    """HR manage campaigns; everyone else sees the results they may see."""
    if sees_company_reports(request.user):
        return redirect("surveys:campaigns")
    return redirect("surveys:results_index")


def _manageable(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.manageable_by(request.user), pk=pk)


def _require_hr(request: HttpRequest) -> None:
    if not sees_company_reports(request.user):
        raise Http404(_("Survey campaigns are managed by HR."))


# Campaigns ---------------------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    campaigns = (
        Campaign.objects.manageable_by(request.user)
        .annotate(wave_count=Count("waves", distinct=True))
        .order_by("-created_at", "-pk")
    )
    query = PageForm(request.GET)
    valid = query.is_valid()
    number = query.cleaned_data.get("page") if valid else 1
    page = Paginator(campaigns, CAMPAIGNS_PER_PAGE).get_page(number)
    return render(
        request,
        "surveys/campaign_list.html",
        {"page": page, "query": query},
        status=200 if valid else 400,
    )


def campaign_new(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    return _campaign_form(request, Campaign(starts_on=timezone.localdate()))


def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _manageable(request, pk)
    if not campaign.is_editable:
        messages.warning(request, _("A launched campaign can no longer be changed."))
        return redirect(campaign)
    return _campaign_form(request, campaign)


def _campaign_form(request: HttpRequest, campaign: Campaign) -> HttpResponse:
    form = CampaignForm(request.POST or None, instance=campaign)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.campaign_save(
                    campaign=form.instance,
                    by=request.user,
                    questions=form.cleaned_data["questions"],
                    respondent_departments=form.cleaned_data["respondent_departments"],
                    rated_departments=form.cleaned_data["rated_departments"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except services.SurveyError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Campaign saved. Launch it when it is ready."))
                return redirect(saved)
    return render(
        request, "surveys/campaign_form.html", {"form": form, "campaign": campaign}, status=status
    )


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _manageable(request, pk)
    waves = campaign.waves.order_by("-number")
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "campaign": campaign,
            "questions": campaign.questions.all(),
            "progress": [_progress(wave) for wave in waves],
            "respondent_departments": campaign.respondent_departments.all(),
            "rated_departments": campaign.rated_departments.all(),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: how many people the launch will e-mail, and the button that launches; POST: launch."""
    campaign = _manageable(request, pk)
    if request.method == "GET":
        if not campaign.is_editable:
            messages.warning(request, _("This campaign has already been launched."))
            return redirect(campaign)
        preview = launch_preview(campaign, now=timezone.now())
        context = {"campaign": campaign, "preview": preview}
        return render(request, "surveys/campaign_launch.html", context)
    try:
        campaign = services.campaign_launch(campaign_id=campaign.pk, by=request.user)
    except (services.SurveyError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        if campaign.waves.exists():
            messages.success(request, _("Launched: the invitations are being sent."))
        else:
            messages.success(request, _("Scheduled: the first wave launches on its start date."))
    return redirect(campaign)


@require_POST
def campaign_end(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _manageable(request, pk)
    try:
        services.campaign_end(campaign_id=campaign.pk, by=request.user)
    except (services.SurveyError, PermissionDenied) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Ended: no further waves will launch."))
    return redirect(campaign)


def _progress(wave: Wave) -> dict:
    """People invited and e-mailed (one invitation e-mail each per wave, about the wave; rows
    written before that are about each invitation), and invitations answered of those sent."""
    invitations = wave.invitations.order_by()
    emails = Message.objects.filter(kind=letters.INVITATION).filter(
        Q(about_type=ContentType.objects.get_for_model(Wave), about_id=wave.pk)
        | Q(
            about_type=ContentType.objects.get_for_model(Invitation),
            about_id__in=invitations.values("pk"),
        )
    )
    emailed = emails.filter(state=Message.State.SENT).values("recipient_id")
    counts = invitations.aggregate(
        total=Count("recipient_id", distinct=True),
        sent=Count("recipient_id", distinct=True, filter=Q(recipient_id__in=emailed)),
        invitations_sent=Count("pk", filter=Q(recipient_id__in=emailed)),
        answered=Count("pk", filter=Q(answered=True)),
    )
    unsent = emails.filter(state__in=[Message.State.PENDING, Message.State.SENDING]).exists()
    return {"wave": wave, **counts, "sending": unsent and wave.is_open(timezone.now())}


def wave_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of a wave, polled by the campaign page while it sends (htmx)."""
    wave = get_object_or_404(
        Wave.objects.filter(campaign__in=Campaign.objects.manageable_by(request.user)), pk=pk
    )
    return render(request, "surveys/_progress.html", {"item": _progress(wave)})


# The question bank -------------------------------------------------------------------------------


def question_bank(request: HttpRequest) -> HttpResponse:
    _require_hr(request)
    form = QuestionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            form.save()
            messages.success(request, _("Question added to the bank."))
            return redirect("surveys:questions")
    return render(
        request,
        "surveys/question_bank.html",
        {"form": form, "questions": Question.objects.all()},
        status=status,
    )


@require_POST
def question_archive(request: HttpRequest, pk: int) -> HttpResponse:
    _require_hr(request)
    question = get_object_or_404(Question, pk=pk)
    question.archived = not question.archived
    question.save(update_fields=["archived"])
    return redirect("surveys:questions")


# Answering ---------------------------------------------------------------------------------------

LINK_STATUS = {"expired": 410, "answered": 410, "invalid": 404}


@login_not_required
# Opened without signing in, yet the recipient's own page: not kept by browsers or proxies.
@cache_control(private=True, no_store=True)
def answer(request: HttpRequest, token: str) -> HttpResponse:
    """The survey an e-mailed link opens, in the recipient's language, without logging in."""
    try:
        invitation = invitation_from_token(token)
    except InvalidAnswerLink as error:
        language = (
            preferred_language(error.invitation.recipient)
            if error.invitation
            else translation.get_language()
        )
        with translation.override(language):
            return render(
                request,
                "surveys/answer_closed.html",
                {"reason": error.reason, "invitation": error.invitation},
                status=LINK_STATUS[error.reason],
            )
    campaign = invitation.wave.campaign
    with translation.override(preferred_language(invitation.recipient)):
        form = AnswerForm(campaign.questions.all(), request.POST or None)
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.response_submit(invitation_id=invitation.pk, answers=form.answers())
                except services.SurveyError:
                    return render(
                        request,
                        "surveys/answer_closed.html",
                        {"reason": "answered", "invitation": invitation},
                        status=410,
                    )
                except ValidationError as error:
                    for key, problems in error.message_dict.items():
                        form.add_error(f"q{key}" if f"q{key}" in form.fields else None, problems)
                else:
                    return render(request, "surveys/answer_thanks.html", {"invitation": invitation})
        return render(
            request,
            "surveys/answer.html",
            {"form": form, "invitation": invitation, "campaign": campaign},
            status=status,
        )
