from django.urls import path

from tropa.assistance import directory_views, legal_views, referral_views, views

app_name = "assistance"
_one = "cases/<uuid:case_id>/applications/<uuid:application_id>/"
urlpatterns = [
    path("applications/", views.applications, name="applications"),
    path("applications/checklists/", views.checklists, name="checklists"),
    path("cases/<uuid:case_id>/applications/new/", views.new_application, name="new"),
    path("legal/templates/", legal_views.templates, name="templates"),
    path(
        "legal/templates/<int:template_id>/v<int:number>.docx",
        legal_views.template_file,
        name="template_file",
    ),
    path("legal/rules/", legal_views.rules, name="rules"),
    path("directory/", directory_views.listing, name="directory"),
    path("directory/new/<str:kind>/", directory_views.entry, name="new_entry"),
    path("directory/<uuid:entry_id>/", directory_views.entry, name="entry"),
    path("directory/<uuid:entry_id>/remove/", directory_views.remove, name="remove_entry"),
    path("referrals/", referral_views.team_referrals, name="referrals"),
    path("cases/<uuid:case_id>/referrals/new/", referral_views.new_referral, name="new_referral"),
    path(
        "cases/<uuid:case_id>/referrals/<uuid:referral_id>/",
        referral_views.referral,
        name="referral",
    ),
    path(
        "cases/<uuid:case_id>/plan/route-points/", directory_views.route_points, name="route_points"
    ),
    path(
        "cases/<uuid:case_id>/documents/<int:template_id>/",
        legal_views.document,
        name="document",
    ),
    path("cases/<uuid:case_id>/deadlines/", legal_views.add_deadline, name="add_deadline"),
    path(
        "cases/<uuid:case_id>/deadlines/<int:deadline_id>/remove/",
        legal_views.remove_deadline,
        name="remove_deadline",
    ),
    path(_one, views.application, name="application"),
    path(_one + "details/", views.save_details, name="details"),
    path(_one + "stage/", views.move_stage, name="stage"),
    path(_one + "decision/", views.decide, name="decide"),
    path(_one + "dates/<str:kind>/", views.set_date, name="date"),
    path(_one + "items/", views.add_item, name="add_item"),
    path(_one + "items/<int:item_id>/", views.change_item, name="item"),
    path(_one + "items/<int:item_id>/remove/", views.remove_item, name="remove_item"),
]
