from django.urls import path

from tropa.cases import (
    case_list,
    case_page,
    inbox,
    label_views,
    reply_templates,
    retention_views,
    search_views,
    staff_pages,
    surge_views,
    views,
)

app_name = "cases"
urlpatterns = [
    # Triage (coordinators): tropa/cases/inbox.py
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/discard/", inbox.bulk_discard, name="bulk_discard"),
    path("inbox/discarded/", inbox.discarded, name="discarded"),
    path("cases/<uuid:case_id>/accept/", inbox.accept, name="accept"),
    path("cases/<uuid:case_id>/merge/", inbox.merge, name="merge"),
    path("cases/<uuid:case_id>/discard/", inbox.discard, name="discard"),
    path("cases/<uuid:case_id>/restore/", inbox.restore, name="restore"),
    # Casework: tropa/cases/case_list.py, case_page.py, views.py
    path("cases/", case_list.case_list, name="list"),
    path("cases/views/", case_list.save_view, name="save_view"),
    path("cases/views/<int:view_id>/delete/", case_list.delete_view, name="delete_view"),
    path("cases/bulk/", case_list.bulk_action, name="bulk"),
    path("cases/<uuid:case_id>/labels/", label_views.case_labels, name="case_labels"),
    path("labels/", label_views.team_labels, name="labels"),
    path("team/targets/", label_views.team_targets, name="team_targets"),
    path("search/", search_views.search_page, name="search"),
    path("surge/", surge_views.page, name="surge"),
    path("surge/share-key/", surge_views.share_key, name="surge_share"),
    path("cases/<uuid:case_id>/", case_page.case_page, name="case"),
    path("cases/<uuid:case_id>/reply/", views.reply, name="reply"),
    path("cases/<uuid:case_id>/note/", views.note, name="note"),
    path("cases/<uuid:case_id>/files/", views.upload, name="upload"),
    path("cases/<uuid:case_id>/files/<uuid:attachment_id>/", views.download, name="download"),
    path("cases/<uuid:case_id>/status/", views.status, name="status"),
    path("cases/<uuid:case_id>/hold/", retention_views.hold, name="hold"),
    path("cases/<uuid:case_id>/release/", retention_views.release, name="release"),
    path("cases/<uuid:case_id>/assign/", views.assign, name="assign"),
    path("cases/<uuid:case_id>/unassign/", views.unassign, name="unassign"),
    path("cases/<uuid:case_id>/reveal/", case_page.reveal, name="reveal"),
    path("cases/<uuid:case_id>/tasks/", views.add_task, name="add_task"),
    path("cases/<uuid:case_id>/tasks/<uuid:task_id>/done/", views.task_done, name="task_done"),
    # Moving case keys with a person: tropa/cases/staff_pages.py
    path("people/<uuid:staff_id>/team/", staff_pages.person_team, name="person_team"),
    path("people/<uuid:staff_id>/regrant/", staff_pages.person_regrant, name="person_regrant"),
    path("people/<uuid:staff_id>/danger/", staff_pages.person_danger, name="person_danger"),
    path("templates/", reply_templates.templates, name="templates"),
    path("templates/<int:template_id>/", reply_templates.template_edit, name="template_edit"),
]
