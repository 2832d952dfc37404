from django.urls import path

from tropa.accounts import roster_views, staff_admin, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.sign_in_view, name="login"),
    path("logout/", views.sign_out_view, name="logout"),
    path("two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("recovery-codes/renew/", views.renew_recovery_codes, name="renew_recovery_codes"),
    path("password/", views.password_change, name="password_change"),
    path("account/", views.account, name="account"),
    path("account/duress/", views.duress_password, name="duress_password"),
    path("people/", staff_admin.people, name="people"),
    path("people/new/", staff_admin.person_new, name="person_new"),
    path("teams/", staff_admin.teams, name="teams"),
    path("roster/", roster_views.page, name="roster"),
    path("roster/handover/", roster_views.handover_page, name="handover"),
    path("roster/<int:shift_id>/remove/", roster_views.remove, name="roster_remove"),
    path("people/<uuid:staff_id>/", staff_admin.person, name="person"),
    path(
        "people/<uuid:staff_id>/profession/",
        staff_admin.person_profession,
        name="person_profession",
    ),
    path("people/<uuid:staff_id>/<slug:action>/", staff_admin.person_action, name="person_action"),
]
