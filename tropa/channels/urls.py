from django.urls import path

from tropa.channels import views

app_name = "channels"
urlpatterns = [
    path("telegram/hook/", views.hook, name="hook"),
    path("staff/telegram/", views.staff_telegram, name="staff_telegram"),
    path("staff/telegram/connect/", views.staff_telegram_connect, name="staff_telegram_connect"),
    path(
        "staff/telegram/disconnect/",
        views.staff_telegram_disconnect,
        name="staff_telegram_disconnect",
    ),
]
