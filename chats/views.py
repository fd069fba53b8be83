"""The department's group chat bots, for its head and the administrators (404 for others)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chats.delivery import DeliveryFailed, send_test
from chats.forms import ChatBotForm
from chats.models import ChatBot
from departments.models import Department


def _department(request: HttpRequest, code: str) -> Department:
    department = get_object_or_404(Department, code__iexact=code)
    if not (request.user.is_superuser or department.is_headed_by(request.user)):
        raise Http404
    return department


def _bot(request: HttpRequest, code: str, pk: int) -> ChatBot:
    return get_object_or_404(
        ChatBot.objects.managed_by(request.user).select_related("department"),
        department__code__iexact=code,
        pk=pk,
    )


def bot_list(request: HttpRequest, code: str) -> HttpResponse:
    department = _department(request, code)
    bots = ChatBot.objects.managed_by(request.user).filter(department=department).distinct()
    return render(request, "chats/bot_list.html", {"department": department, "bots": bots})


def bot_add(request: HttpRequest, code: str) -> HttpResponse:
    department = _department(request, code)
    form = ChatBotForm(request.POST or None, instance=ChatBot(department=department))
    if request.method == "POST" and form.is_valid():
        bot = form.save(commit=False)
        bot.created_by = request.user
        bot.save()
        messages.success(request, _("The bot was added. Send it a test message."))
        return redirect("chats:edit", department.code, bot.pk)
    return render(request, "chats/bot_form.html", {"department": department, "form": form})


def bot_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    bot = _bot(request, code, pk)
    form = ChatBotForm(request.POST or None, instance=bot)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The bot was saved."))
        return redirect("chats:list", bot.department.code)
    return render(
        request, "chats/bot_form.html", {"department": bot.department, "form": form, "bot": bot}
    )


@require_POST
def bot_delete(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    bot = _bot(request, code, pk)
    bot.delete()
    messages.success(request, _("The bot was deleted."))
    return redirect("chats:list", bot.department.code)


@require_POST
def bot_test(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Post a test message now and show the app's answer."""
    bot = _bot(request, code, pk)
    try:
        answer = send_test(bot)
    except DeliveryFailed as error:
        result = {"ok": False, "status": None, "body": str(error)}
    else:
        result = {"ok": answer.outcome.delivered, "status": answer.status, "body": answer.body}
    form = ChatBotForm(instance=bot)
    return render(
        request,
        "chats/bot_form.html",
        {"department": bot.department, "form": form, "bot": bot, "test": result},
    )
