from django.urls import path

from tropa.reports import public, views

app_name = "reports"
_one = "impact/<str:period>/<int:number>/"
urlpatterns = [
    path("staff/statistics/", views.dashboard, name="dashboard"),
    path("staff/statistics/releases/", views.release_list, name="releases"),
    path("impact/", public.impact, name="impact"),
    path(_one, public.release, name="release"),
    path(_one + "release.<str:kind>", public.download, name="download"),
    path(_one + "<str:table>.svg", public.chart, name="chart"),
]
