"""Sign-in, two-factor enrolment, and the staff member's own account."""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from tropa.accounts import actions, duress, session_keys
from tropa.accounts.current import keys_of as _keys
from tropa.accounts.current import staff_of as _staff
from tropa.accounts.demo import DEMO_PASSWORD
from tropa.accounts.forms import (
    CodeForm,
    DuressPasswordForm,
    LanguageForm,
    NotificationForm,
    PasswordChangeForm,
    SignInForm,
    SpeaksForm,
)
from tropa.accounts.models import Staff
from tropa.accounts.signin import SignInState, sign_in
from tropa.audit.log import record
from tropa.audit.models import Action
from tropa.core.access import enrolment_step, password_step, public
from tropa.core.language import remember_language
from tropa.core.views import posted

NEW_CODES = "tropa_new_recovery_codes"


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


def _demo_codes() -> list[tuple[str, str, str]]:
    """Demo mode only: each demo account's role and current code, for the sign-in page."""
    if not settings.TROPA_DEMO:
        return []
    from django_otp.oath import TOTP

    rows = []
    for device in TOTPDevice.objects.filter(confirmed=True).select_related("user"):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        rows.append((device.user.username, device.user.get_role_display(), f"{totp.token():06d}"))
    return sorted(rows)


def _apply_language_preference(request: HttpRequest, response: HttpResponse, staff: Staff) -> None:
    """A language chosen in this browser wins; otherwise the account's preference."""
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        remember_language(response, staff.language)


@public
def sign_in_view(request: HttpRequest) -> HttpResponse:
    form = SignInForm(posted(request))
    if request.method == "POST" and form.is_valid():
        result = sign_in(
            form.cleaned_data["username"], form.cleaned_data["password"], form.cleaned_data["code"]
        )
        if result.outcome is SignInState.LOCKED:
            form.add_error(None, _("Too many failed attempts. Wait a while, or ask an admin."))
        elif result.outcome is SignInState.FAILED:
            if result.staff is not None:
                record(None, Action.LOGIN_FAILED, target=result.staff)
            if form.cleaned_data["code"]:
                form.add_error(None, _("Wrong username, password or code."))
            else:
                form.add_error(
                    None,
                    _(
                        "Wrong username or password, or the two-factor code is missing: "
                        "leave it empty only on your very first sign-in."
                    ),
                )
        else:
            assert result.staff is not None
            login(request, result.staff, backend="django.contrib.auth.backends.ModelBackend")
            if result.keys is not None:  # none yet before the person's own first password
                session_keys.hold(request, result.keys)
            if result.outcome is SignInState.NEEDS_ENROLMENT:
                response = redirect("accounts:two_factor_setup")
                _apply_language_preference(request, response, result.staff)
                return response
            otp_login(request, result.device)
            record(result.staff, Action.LOGIN, target=result.staff)
            if result.device is not None and result.device.persistent_id.startswith("otp_static"):
                record(result.staff, Action.RECOVERY_CODE_USED, target=result.staff)
                messages.warning(
                    request,
                    _("You used a recovery code. Each works once: make new ones in your account."),
                )
            response = redirect(_safe_next(request))
            _apply_language_preference(request, response, result.staff)
            return response
        # Never send the password back into the page.
        form.data = form.data.copy()
        form.data["password"] = ""
        form.data["code"] = ""
    context = {
        "form": form,
        "next": _safe_next(request),
        "demo_codes": _demo_codes(),
        "demo_password": DEMO_PASSWORD,
    }
    return render(request, "accounts/sign_in.html", context)


@public
@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    if isinstance(request.user, Staff):
        record(request.user, Action.LOGOUT, target=request.user)
    session_keys.forget(request)
    messages.info(request, _("You are signed out."))
    return redirect("accounts:login")


def _qr_svg(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg.replace('width="', 'class="qr" data-w="', 1)


@enrolment_step
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if request.user.is_verified():  # type: ignore[union-attr]
        return redirect(settings.LOGIN_REDIRECT_URL)
    device = actions.start_two_factor(staff)
    form = CodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        code = "".join(form.cleaned_data["code"].split())
        if code.isdigit() and device.verify_token(code):
            codes = actions.enrol_two_factor(staff, device)
            otp_login(request, device)
            record(staff, Action.LOGIN, target=staff)
            request.session[NEW_CODES] = codes
            return redirect("accounts:recovery_codes")
        form.add_error("code", _("That code is not right. Check the time on your phone."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 (generated, no input)
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
    }
    return render(request, "accounts/two_factor_setup.html", context)


@password_step
def recovery_codes(request: HttpRequest) -> HttpResponse:
    codes = request.session.pop(NEW_CODES, None)
    if not codes:
        return redirect("accounts:account")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})


@password_step
def password_change(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    form = PasswordChangeForm(staff, posted(request))
    if request.method == "POST" and form.is_valid():
        if staff.has_keys:
            actions.change_password(staff, _keys(request), form.cleaned_data["new"])
        else:
            keys = actions.choose_first_password(staff, form.cleaned_data["new"])
            session_keys.hold(request, keys)
        update_session_auth_hash(request, staff)
        messages.success(request, _("Your password is changed."))
        return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/password_change.html", {"form": form})


def account(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    if request.method == "POST" and "speaks_form" in request.POST:
        speaks = SpeaksForm(request.POST)
        if speaks.is_valid():
            actions.set_speaks(staff, speaks.cleaned_data["speaks"])
            messages.success(request, _("Your languages are saved."))
            return redirect("accounts:account")
    is_notify = request.method == "POST" and "notify" in request.POST
    form = LanguageForm(
        posted(request) if not is_notify else None, initial={"language": staff.language}
    )
    notify_form = NotificationForm(
        posted(request) if is_notify else None,
        initial={"email": staff.email, "notify_by_email": staff.notify_by_email},
    )
    if is_notify and notify_form.is_valid():
        actions.set_notifications(
            staff,
            email=notify_form.cleaned_data["email"],
            by_email=notify_form.cleaned_data["notify_by_email"],
        )
        messages.success(request, _("Notification settings saved."))
        return redirect("accounts:account")
    if request.method == "POST" and not is_notify and form.is_valid():
        actions.set_language(staff, form.cleaned_data["language"])
        response = redirect("accounts:account")
        remember_language(response, staff.language)
        return response
    speaks_form = SpeaksForm(initial={"speaks": staff.speaks})
    context = {"form": form, "notify_form": notify_form, "staff": staff, "speaks_form": speaks_form}
    return render(request, "accounts/account.html", context)


@require_POST
def renew_recovery_codes(request: HttpRequest) -> HttpResponse:
    request.session[NEW_CODES] = actions.renew_recovery_codes(_staff(request))
    return redirect("accounts:recovery_codes")


def duress_password(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    remove = request.method == "POST" and "remove" in request.POST
    form = DuressPasswordForm(staff, posted(request), remove=remove)
    if request.method == "POST" and form.is_valid():
        try:
            duress.set_duress_password(staff, form.cleaned_data["new"])
        except ValidationError as error:
            form.add_error("new", error)
        else:
            if remove:
                messages.success(request, _("The duress password is removed."))
            else:
                messages.success(request, _("The duress password is set."))
            return redirect("accounts:account")
    context = {"form": form, "has_one": bool(staff.duress_password)}
    return render(request, "accounts/duress_password.html", context)
