from django.urls import path

from tropa.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.switch_language, name="language"),
    path("help/", views.self_help_page, name="self_help"),
    path("staff/", views.staff_home, name="staff_home"),
]
