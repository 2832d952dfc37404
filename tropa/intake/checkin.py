"""The requester's check-in from the portal: "I am safe", "I need help", or duress.

The duress rule, as the requester's browser sees it: a check-in with the
pre-agreed word answers exactly as "I am safe" does, byte for byte apart from
the per-request CSRF token and session cookie. So the view never branches on
what `actions.check_in` decided; it branches only on what the person pressed.
The duress word goes into the note ("Anything to add?") that every check-in
has for its own sake: a coercer watching sees a person write a few words to
their consultant, as they always do, and nothing on the page ever says whether
a word was agreed (docs/journeys.md, "Where the word goes").
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tropa.cases import actions as case_actions
from tropa.cases.models import Case, Channel
from tropa.core.access import public
from tropa.intake import portal
from tropa.journeys import actions
from tropa.journeys.models import CheckInKind

# A note longer than this is kept to its first characters, never refused, so a
# long note answers like any other (the box says the limit).
NOTE_MAX = actions.NOTE_MAX


def checkin_box(case: Case) -> dict[str, Any] | None:
    """What the portal's check-in box needs, or None when no leg is active."""
    leg = actions.active_leg(case)
    if leg is None:
        return None
    return {"due": leg.next_checkin_due, "note_max": NOTE_MAX}


@public
@require_POST
@portal.requester_required
def check_in(request: HttpRequest) -> HttpResponse:
    case = request.requester.case  # type: ignore[attr-defined]
    kind = request.POST.get("kind", "")
    if kind not in (CheckInKind.SAFE, CheckInKind.HELP):
        messages.error(request, _("Press “I am safe” or “I need help” to check in."))
        return redirect("intake:portal")
    leg = actions.active_leg(case)
    if leg is None:
        messages.info(request, _("There is nothing to check in for right now."))
        return redirect("intake:portal")
    try:
        actions.check_in(
            leg,
            kind,
            channel=Channel.WEB,
            word=request.POST.get("note", "")[: NOTE_MAX * 2],
            requester_keys=request.requester_identity.keys,  # type: ignore[attr-defined]
        )
    except case_actions.NotAllowed:  # the leg ended between reading and writing
        messages.info(request, _("There is nothing to check in for right now."))
        return redirect("intake:portal")
    if len(" ".join(request.POST.get("note", "").split())) > NOTE_MAX:
        messages.info(
            request,
            _(
                "Your note was kept to its first %(n)d characters: write the rest "
                "as a message below."
            )
            % {"n": NOTE_MAX},
        )
    if kind == CheckInKind.HELP:
        messages.success(
            request, _("We got your call for help. A consultant is being alerted now.")
        )
    else:  # safe, and duress, which must look exactly the same
        messages.success(request, _("Thank you. Your check-in is recorded."))
    return redirect("intake:portal")
