"""Everything the bot says, in Russian and English, through Django's catalogs.

Call these inside `translation.override(language)`. The questionnaire's own
wording comes from the questionnaire file, as on the web.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from tropa.core import hours


def choose_language() -> str:
    # Both languages at once: nobody has chosen yet.
    return "Выберите язык. / Choose your language."


def welcome() -> str:
    return _(
        "This is the helpline. We help people avoid mobilisation and conscription, "
        "leave the army and get to safety. No name is needed."
    )


def safer_channel() -> str:
    """Said once, after the language is chosen."""
    text = _(
        "Please know: Telegram itself knows who you are and who you write to. "
        "Our website opened in Tor Browser is safer: it knows nothing about you."
    )
    if settings.TROPA_PORTAL_URL:
        text += "\n" + settings.TROPA_PORTAL_URL
    text += "\n\n" + _(
        "If someone else may see this phone, delete this chat after each conversation."
    )
    return text


def choose_mode() -> str:
    return _("Would you like to answer a few questions, or write in your own words?")


def mode_questions() -> str:
    return _("Answer questions")


def mode_free() -> str:
    return _("Write in my own words")


def free_text_prompt() -> str:
    return _(
        "Write what happened and what help you need, in one message. "
        "You can send more messages and files afterwards."
    )


def skip() -> str:
    return _("Skip")


def done() -> str:
    return _("Done")


def back() -> str:
    return _("Back")


def multi_hint() -> str:
    return _("Press every answer that fits, then “Done”.")


def added(label: str) -> str:
    return _("Added: %(answer)s") % {"answer": label}


def removed(label: str) -> str:
    return _("Removed: %(answer)s") % {"answer": label}


def use_buttons() -> str:
    return _("Please choose one of the buttons.")


def too_long(limit: int) -> str:
    return _("That is too long: at most %(limit)d characters, please.") % {"limit": limit}


def choose_region_group() -> str:
    return _("Choose the part of the country first.")


def received() -> str:
    return _(
        "Thank you. Your request is received and encrypted. A consultant will write to "
        "you here. You can write more or send files (photos, PDF) at any time."
    )


def file_refused(name: str, reason: str) -> str:
    return _("The file “%(name)s” was not kept: %(reason)s") % {"name": name, "reason": reason}


def file_too_big() -> str:
    limit = settings.TROPA_MAX_FILE_MB
    return _("it is larger than %(limit)d MB.") % {"limit": limit}


def file_wrong_type() -> str:
    return _("send photos, PDF, voice messages or plain text.")


def file_empty() -> str:
    return _("it is empty.")


def unsupported() -> str:
    return _("We can keep text, photos, documents and voice messages only.")


def finish_questions_first() -> str:
    return _("Please answer the question first; you can send files after the questions.")


def help_text() -> str:
    return _(
        "Write here as in any chat: a consultant reads it and answers here.\n\n"
        "/checkin: check in while travelling\n"
        "/official: our official accounts (beware of fakes)\n"
        "/language: change the language\n"
        "/delete: delete everything you told us"
    )


def official() -> str:
    handles = list(settings.TROPA_TELEGRAM_OFFICIAL)
    lines = [_("Our official accounts and addresses:")]
    lines += [f"• {handle}" for handle in handles] or [_("• this bot")]
    lines.append("")
    lines.append(
        _(
            "Fake bots copy our name and picture to trap people. Check the username letter "
            "by letter. We never ask for money, for photos of your passport or military ID, "
            "or for your location unless you are travelling with us. If in doubt, ask here."
        )
    )
    return "\n".join(lines)


def checkin_prompt() -> str:
    return _(
        "Check in: press a button. If you agreed a check-in word with your consultant, "
        "send it like this: /safe word"
    )


def checkin_safe_button() -> str:
    return _("I am safe")


def checkin_help_button() -> str:
    return _("I need help")


def checkin_recorded() -> str:
    return _("Thank you. Your check-in is recorded.")


def checkin_help_recorded() -> str:
    return _("We got your call for help. A consultant is being alerted now.")


def nothing_to_check_in() -> str:
    return _("There is nothing to check in for right now.")


def delete_confirm() -> str:
    return _(
        "This deletes everything you told us, for good, and ends our conversation here. "
        "Are you sure?"
    )


def delete_yes() -> str:
    return _("Yes, delete everything")


def delete_no() -> str:
    return _("No, keep it")


def deleted() -> str:
    return _("Everything you told us is deleted. You can also delete this chat now.")


def kept() -> str:
    return _("Nothing was deleted.")


def staff_linked() -> str:
    return _(
        "Tropa notifications are on. You will get only “something needs you” messages "
        "here, never case content."
    )


def staff_code_wrong() -> str:
    return _("That link has expired or was already used. Make a new one in Tropa.")


def staff_notification(urgent: bool) -> str:
    if urgent:
        return _("Tropa: URGENT, an alert needs you now. Sign in and acknowledge it.")
    return _("Tropa: something new for you. Sign in to see it.")


# Consultant hours


def check_hours() -> None:
    hours.consultant_hours()


def in_hours(now: datetime) -> bool:
    return hours.in_hours(now)


def next_opening(now: datetime) -> datetime:
    return hours.next_opening(now)


def away(now: datetime) -> str:
    start, end, zone = hours.consultant_hours()
    opening = next_opening(now)
    custom = {
        "ru": settings.TROPA_TELEGRAM_AWAY_RU,
        "en": settings.TROPA_TELEGRAM_AWAY_EN,
    }.get(get_language(), "")
    params = {
        "start": start.strftime("%H:%M"),
        "end": end.strftime("%H:%M"),
        "zone": zone.key,
        "next": opening.strftime("%d.%m %H:%M"),
    }
    if custom:
        try:
            return custom.format(**params)
        except (KeyError, IndexError, ValueError):
            return custom
    return (
        _(
            "Consultants answer from %(start)s to %(end)s (%(zone)s time). Your message is "
            "saved; someone will reply after %(next)s."
        )
        % params
    )
