from django.urls import path

from tropa.journeys import ladder, leg_pages, views

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
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/fail/", leg_pages.fail_leg, name="fail"),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/edit/", leg_pages.edit_leg, name="edit"),
    path(
        "cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/delete/",
        leg_pages.delete_leg,
        name="delete",
    ),
    path(
        "cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/undo-failure/",
        leg_pages.undo_failure,
        name="undo_failure",
    ),
    path(
        "cases/<uuid:case_id>/plan/duress/<int:checkin_id>/clear/",
        leg_pages.clear_duress,
        name="clear_duress",
    ),
    path("cases/<uuid:case_id>/plan/legs/<uuid:leg_id>/check-in/", views.check_in, name="check_in"),
    path(
        "cases/<uuid:case_id>/alerts/<uuid:alert_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
]
