from django.urls import include, path

urlpatterns = [
    path("", include("tropa.core.urls")),
    path("staff/", include("tropa.accounts.urls")),
]

handler404 = "tropa.core.views.not_found"
handler500 = "tropa.core.views.server_error"
