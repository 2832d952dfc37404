"""The webhook Telegram calls, and a staff member's Telegram notification link."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from telegram import Update

from tropa import vault
from tropa.accounts.current import staff_of
from tropa.channels import api, conversation, staff_links
from tropa.channels.models import BotState, StaffLink
from tropa.channels.runner import webhook_secret
from tropa.channels.staff_links import LINK_MINUTES
from tropa.core.access import public


@public
@csrf_exempt
@require_POST
def hook(request: HttpRequest) -> HttpResponse:
    """An update from Telegram. 200 only once it is stored; otherwise Telegram retries."""
    if not settings.TROPA_TELEGRAM_TOKEN or not settings.TROPA_TELEGRAM_WEBHOOK_URL:
        return HttpResponse(status=404)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
    if not vault.constant_time_equal(given, webhook_secret().encode()):
        return HttpResponse(status=403)
    try:
        data = json.loads(request.body)
        update = Update.de_json(data, api.shared().bot)
    except (ValueError, TypeError, KeyError):
        return HttpResponse(status=400)
    if update is None:
        return HttpResponse(status=400)
    incoming = api.reduce(update)
    try:
        outcome = conversation.process(incoming, api.shared().download)
    except api.Failed:
        return HttpResponse(status=503)  # a file could not be fetched yet: Telegram retries
    if outcome.callback_id:
        api.shared().answer_callback(outcome.callback_id, outcome.toast)
    return JsonResponse({})


def staff_telegram(request: HttpRequest) -> HttpResponse:
    """Opt in to (or out of) "something needs you" messages by Telegram."""
    staff = staff_of(request)
    link = StaffLink.objects.filter(staff=staff).first()
    state = BotState.objects.filter(pk=1).first()
    context = {
        "configured": bool(settings.TROPA_TELEGRAM_TOKEN),
        "linked": link is not None and link.linked_at is not None,
        "bot": state.username if state else "",
        "deep_link": "",
        "code": "",
        "minutes": LINK_MINUTES,
    }
    code = request.session.pop("telegram_link_code", "")
    if code and link is not None and link.code_hash is not None:
        context["code"] = code
        if context["bot"]:
            context["deep_link"] = f"https://t.me/{context['bot']}?start=staff_{code}"
    return render(request, "channels/staff_telegram.html", context)


@require_POST
def staff_telegram_connect(request: HttpRequest) -> HttpResponse:
    staff = staff_of(request)
    if not settings.TROPA_TELEGRAM_TOKEN:
        return redirect("channels:staff_telegram")
    code = staff_links.start_link(staff)
    # Shown once, on the next page; the database keeps only its keyed hash.
    request.session["telegram_link_code"] = code
    return redirect("channels:staff_telegram")


@require_POST
def staff_telegram_disconnect(request: HttpRequest) -> HttpResponse:
    staff_links.unlink(staff_of(request))
    messages.success(request, _("Telegram notifications are off."))
    return redirect("channels:staff_telegram")
