from django.urls import include, path

from tropa.accounts.views import switch_language

urlpatterns = [
    path("", include("tropa.core.urls")),
    # Public (requesters too); it also remembers a signed-in staff member's choice.
    path("language/", switch_language, name="language"),
    # cases first: it serves two actions of a person's page (team, regrant)
    # that the accounts pattern people/<id>/<action>/ would otherwise take.
    path("staff/", include("tropa.cases.urls")),
    path("staff/", include("tropa.accounts.urls")),
    path("staff/", include("tropa.accounts.audit_urls")),
    path("staff/", include("tropa.journeys.urls")),
    path("", include("tropa.channels.urls")),
    path("", include("tropa.intake.urls")),
]

handler400 = "tropa.core.views.bad_request"
handler404 = "tropa.core.views.not_found"
handler500 = "tropa.core.views.server_error"
