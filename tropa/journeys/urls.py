from django.urls import path

from tropa.journeys import ladder, views

app_name = "journeys"
urlpatterns = [
    path("journeys/", views.journeys, name="journeys"),
    path("journeys/escalation/", ladder.team_ladder, name="team_ladder"),
    path("cases/<uuid:case_id>/plan/escalation/", ladder.plan_ladder, name="plan_ladder"),
    path("cases/<uuid:case_id>/plan/protocol/", views.protocol, name="protocol"),
    path("cases/<uuid:case_id>/plan/duress/", views.duress, name="duress"),
    path("cases/<uuid:case_id>/plan/legs/", views.add_leg, name="add_leg"),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/start/", views.start_leg, name="start"),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/done/", views.finish_leg, name="done"),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/fail/", views.fail_leg, name="fail"),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/check-in/", views.check_in, name="check_in"),
    path(
        "cases/<uuid:case_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
]
