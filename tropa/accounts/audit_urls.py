from django.urls import path

from tropa.accounts import audit_pages as views

app_name = "audit"
urlpatterns = [
    path("audit/", views.audit_log, name="log"),
    path("audit/verify/", views.verify_chain, name="verify"),
]
