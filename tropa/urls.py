from django.urls import include, path

urlpatterns = [
    path("", include("tropa.core.urls")),
    # cases first: it serves two actions of a person's page (team, regrant)
    # that the accounts pattern people/<id>/<action>/ would otherwise take.
    path("staff/", include("tropa.cases.urls")),
    path("staff/", include("tropa.accounts.urls")),
    path("staff/", include("tropa.accounts.audit_urls")),
    path("staff/", include("tropa.journeys.urls")),
    path("staff/", include("tropa.assistance.urls")),
    path("", include("tropa.reports.urls")),
    path("", include("tropa.channels.urls")),
    path("", include("tropa.intake.urls")),
]

handler400 = "tropa.core.views.bad_request"
handler404 = "tropa.core.views.not_found"
handler500 = "tropa.core.views.server_error"
