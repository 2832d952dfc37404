from django.urls import path

from tropa.intake import checkin, staff_lookup, views

app_name = "intake"
urlpatterns = [
    path("request/", views.request_form, name="request"),
    path("request/codename/", views.codename_page, name="codename"),
    path("portal/login/", views.sign_in, name="sign_in"),
    path("portal/", views.portal_page, name="portal"),
    path("portal/send/", views.send_message, name="send"),
    path("portal/check-in/", checkin.check_in, name="check_in"),
    path("portal/files/<uuid:attachment_id>/", views.download, name="download"),
    path("portal/delete/", views.delete_everything, name="delete"),
    path("portal/logout/", views.sign_out, name="sign_out"),
    path("staff/search/codename/", staff_lookup.codename_lookup, name="staff_codename_lookup"),
]
