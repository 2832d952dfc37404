from django.urls import include, path

urlpatterns = [
    path("", include("tropa.core.urls")),
    path("staff/", include("tropa.accounts.urls")),
    path("staff/", include("tropa.cases.urls")),
    path("staff/", include("tropa.audit.urls")),
    path("staff/", include("tropa.journeys.urls")),
    path("", include("tropa.channels.urls")),
    path("", include("tropa.intake.urls")),
]

handler400 = "tropa.core.views.bad_request"
handler404 = "tropa.core.views.not_found"
handler500 = "tropa.core.views.server_error"
