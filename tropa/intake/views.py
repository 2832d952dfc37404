"""Requester pages: public, Russian by default, complete without JavaScript."""

from __future__ import annotations

import json
import logging
import unicodedata
import uuid

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa import vault
from tropa.cases import questionnaire
from tropa.cases.models import Attachment, Kind
from tropa.cases.uploads import accepts_sealed_uploads, open_attachment
from tropa.core import languages, session_secrets, surge
from tropa.core.access import public
from tropa.core.views import file_download, posted
from tropa.intake import actions, checkin, codenames, portal
from tropa.intake.forms import CodenameForm, DeleteForm, KeptForm, MessageForm

log = logging.getLogger("tropa.intake")


def _language() -> str:
    return languages.current()


@public
def request_form(request: HttpRequest) -> HttpResponse:
    language = _language()
    # The form the person was shown, even if surge mode changed meanwhile.
    short = request.POST.get("short") == "1" if request.method == "POST" else None
    if short is None:
        short = surge.short_questionnaire()
    form = questionnaire.form_class(language, short=short)(posted(request))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                codename, _case = actions.submit_request(form.cleaned_data, language)
            except DatabaseError as error:
                log.error("storing a request failed (%s); asked to resend", type(error).__name__)
                form.add_error(
                    None,
                    _(
                        "We could not save your request just now. Everything you wrote is still "
                        "here: please press “Send” again in a minute."
                    ),
                )
                status = 503
            else:
                session_secrets.hold_in_browser(request, portal.NEW_CODENAME, codename.encode())
                return redirect("intake:codename")
        else:
            status = 400
    intro = questionnaire.load().intro[language]
    context = {"form": form, "intro": intro, "short": short}
    response = render(request, "intake/request.html", context, status=status)
    if status == 503:
        response["Retry-After"] = "60"
    return response


@public
def codename_page(request: HttpRequest) -> HttpResponse:
    try:
        codename = session_secrets.release_from_browser(
            request, portal.NEW_CODENAME, portal.NEW_CODENAME_SECONDS
        ).decode()
    except session_secrets.NotHeld:
        return render(request, "intake/codename_gone.html", status=410)
    form = KeptForm(posted(request))
    if request.method == "POST" and form.is_valid():
        session_secrets.consume_from_browser(
            request, portal.NEW_CODENAME, portal.NEW_CODENAME_SECONDS
        )
        portal.sign_in(request, codename)
        messages.success(request, _("Your request is with us. A consultant will answer here."))
        return redirect("intake:portal")
    context = {
        "form": form,
        "words": codename.split(),
        "printable": request.GET.get("print") == "1",
    }
    return render(request, "intake/codename.html", context)


@public
def sign_in(request: HttpRequest) -> HttpResponse:
    form = CodenameForm(posted(request))
    if request.method == "POST" and form.is_valid():
        # The right codename always opens (a flood of wrong guesses must not
        # lock real people out); only failures are counted, and over the
        # budget they are shed with a 503 that says when to try again.
        found = actions.find_requester(form.cleaned_data["codename"])
        if found is not None:
            portal.sign_in(request, codenames.normalise(form.cleaned_data["codename"]))
            del found
            return redirect("intake:portal")
        wait = portal.busy_for(request)
        if wait:
            form.data = form.data.copy()
            form.data["codename"] = ""
            form.add_error(
                None,
                _(
                    "Too many attempts just now. Check the words, wait %(seconds)d seconds, "
                    "then try again."
                )
                % {"seconds": wait},
            )
            response = render(request, "intake/sign_in.html", {"form": form}, status=503)
            response["Retry-After"] = str(wait)
            return response
        portal.record_failure(request)
        form.add_error(
            "codename",
            _("We found no conversation with this codename. Check the words and their order."),
        )
        # The words stay in the box to be corrected, not typed again: they
        # opened nothing, and the page is never cached (Cache-Control: no-store).
        # Invisible control characters (a right-to-left override) are not shown back.
        typed = form.data.get("codename", "")
        if not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in typed):
            return render(request, "intake/sign_in.html", {"form": form})
    if form.is_bound:
        form.data = form.data.copy()
        form.data["codename"] = ""  # junk (too long, control characters) is not shown back
    return render(request, "intake/sign_in.html", {"form": form})


def _conversation(requester: actions.Requester, who: actions.Identity) -> list[dict[str, object]]:
    case = requester.case
    rows = []
    story = _own_story(case, who)
    if story:  # what they wrote in the form opens their side of the conversation
        rows.append({"kind": "story", "at": case.received_at, "body": story, "files": []})
    items = (
        case.messages.filter(kind__in=[Kind.FROM_REQUESTER, Kind.REPLY])
        .prefetch_related("attachments")
        .order_by("seq")
    )
    for item in items:
        try:
            body = vault.open_from_many(who.keys, bytes(item.sealed_body)).decode()
        except vault.CannotOpen:
            body = None
        files = []
        for attachment in item.attachments.all():
            try:
                meta = vault.open_from_many(who.keys, bytes(attachment.sealed_meta))
            except vault.CannotOpen:
                continue
            files.append({"id": attachment.id, **json.loads(meta)})
        rows.append({"kind": item.kind, "at": item.created_at, "body": body, "files": files})
    return rows


def _own_story(case: actions.Case, who: actions.Identity) -> str:
    """The story from the person's own request, opened with their own key."""
    try:
        stored = json.loads(vault.open_from_many(who.keys, bytes(case.sealed_intake)))
    except (vault.CannotOpen, ValueError):
        return ""
    story = stored.get("answers", {}).get("story", "") if isinstance(stored, dict) else ""
    return story if isinstance(story, str) else ""


def _render_portal(
    request: HttpRequest,
    form: MessageForm | None = None,
    file_errors: list[str] | None = None,
    status: int | None = None,
) -> HttpResponse:
    requester, who = request.requester, request.requester_identity  # type: ignore[attr-defined]
    context = {
        "form": form or MessageForm(),
        "file_errors": file_errors or [],
        "conversation": _conversation(requester, who),
        "max_file_mb": settings.TROPA_MAX_FILE_MB,
        "max_files": settings.TROPA_MAX_FILES,
        "checkin": checkin.checkin_box(requester.case),
    }
    if status is None:
        status = 400 if (form is not None and form.errors) or file_errors else 200
    return render(request, "intake/portal.html", context, status=status)


@public
@portal.requester_required
def portal_page(request: HttpRequest) -> HttpResponse:
    return _render_portal(request)


@public
@require_POST
@accepts_sealed_uploads
@portal.requester_required
def send_message(request: HttpRequest) -> HttpResponse:
    form = MessageForm(request.POST)
    uploads = request.FILES.getlist("files")
    file_errors = [u.error_message() for u in uploads if u.error]
    good = [u for u in uploads if not u.error]
    if form.is_valid():
        text = form.cleaned_data["text"]
        if not text and not good and not file_errors:
            form.add_error("text", _("Write a message or choose a file."))
        elif codenames.contains_codename(text, request.codename):  # type: ignore[attr-defined]
            form.add_error(
                "text",
                _(
                    "Your message contains your codename. Never send it to anyone, us included: "
                    "remove it and send again."
                ),
            )
    if not form.is_valid() or file_errors:
        for upload in uploads:
            upload.close()
        if file_errors and good:
            file_errors.append(_("Nothing was sent. Choose the files again and send."))
        return _render_portal(request, form, file_errors)
    try:
        actions.send_message(
            request.requester,
            request.requester_identity,
            form.cleaned_data["text"],
            good,  # type: ignore[attr-defined]
        )
    except DatabaseError as error:
        log.error("storing a requester message failed (%s)", type(error).__name__)
        form.add_error(
            None, _("We could not save your message just now. Please send it again in a minute.")
        )
        return _render_portal(request, form, status=503)
    messages.success(request, _("Sent. We will answer here."))
    return redirect("intake:portal")


@public
@portal.requester_required
def download(request: HttpRequest, attachment_id: uuid.UUID) -> HttpResponse:
    requester, who = request.requester, request.requester_identity  # type: ignore[attr-defined]
    attachment = Attachment.objects.filter(pk=attachment_id, case=requester.case).first()
    if attachment is None:
        raise Http404
    try:
        meta, data = open_attachment(attachment, who.keys)
    except vault.CannotOpen:
        raise Http404 from None
    return file_download(data, str(meta.get("name", "file")))


@public
@portal.requester_required
def delete_everything(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(posted(request))
    if request.method == "POST" and form.is_valid():
        actions.delete_everything(request.requester)  # type: ignore[attr-defined]
        portal.sign_out(request)
        return render(request, "intake/deleted.html")
    return render(request, "intake/delete.html", {"form": form})


@public
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal.sign_out(request)
    return redirect("core:home")
