from django.urls import path

from . import (
    data_views,
    document_views,
    history_views,
    moderation_views,
    response_views,
    staff_views,
    views,
)

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="consultation-list"),
    path("reported/", views.moderation_queue, name="moderation-queue"),
    path(
        "appeals/<int:appeal_pk>/decide/",
        moderation_views.appeal_decide,
        name="comment-appeal-decide",
    ),
    path("new/", staff_views.consultation_create, name="consultation-create"),
    path("<int:pk>/revise/", staff_views.consultation_revise, name="consultation-revise"),
    path("<int:pk>/publish/", staff_views.consultation_publish, name="consultation-publish"),
    path("<int:pk>/questions/new/", staff_views.question_create, name="question-create"),
    path("<int:pk>/", views.consultation_detail, name="consultation-detail"),
    path("<int:pk>/comments/", views.comment_create, name="comment-create"),
    path("<int:pk>/comments/<int:comment_pk>/", views.comment_detail, name="comment-detail"),
    path("<int:pk>/comments/<int:comment_pk>/report/", views.comment_flag, name="comment-flag"),
    path(
        "<int:pk>/comments/<int:comment_pk>/moderate/",
        views.comment_moderate,
        name="comment-moderate",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/appeal/",
        moderation_views.comment_appeal,
        name="comment-appeal",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/hide/",
        moderation_views.comment_hide,
        name="comment-hide",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/restore/",
        moderation_views.comment_restore,
        name="comment-restore",
    ),
    path(
        "<int:pk>/comments/<int:comment_pk>/dismiss/",
        moderation_views.comment_dismiss,
        name="comment-dismiss",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/support/",
        views.section_support,
        name="section-support",
    ),
    path(
        "<int:pk>/sections/<int:section_pk>/amendments/",
        views.amendment_create,
        name="amendment-create",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/answer/",
        views.question_answer,
        name="question-answer",
    ),
    path("<int:pk>/amendments/", history_views.amendment_list, name="amendment-list"),
    path("<int:pk>/versions/", history_views.version_list, name="version-list"),
    path("<int:pk>/versions/<int:number>/", history_views.version_diff, name="version-diff"),
    path("<int:pk>/mine/", response_views.consultation_mine, name="consultation-mine"),
    path("<int:pk>/respond/", response_views.respond, name="consultation-respond"),
    path("<int:pk>/respond/themes/", response_views.theme_create, name="theme-create"),
    path(
        "<int:pk>/respond/themes/<int:theme_pk>/",
        response_views.theme_answer,
        name="theme-answer",
    ),
    path(
        "<int:pk>/respond/amendments/<int:amendment_pk>/",
        response_views.amendment_answer,
        name="amendment-answer",
    ),
    path("<int:pk>/respond/publish/", response_views.response_publish, name="response-publish"),
    path("<int:pk>/response/", response_views.response_report, name="consultation-response"),
    path("<int:pk>/summary/", data_views.summary, name="consultation-summary"),
    path("<int:pk>/export.csv", data_views.export_csv, name="consultation-export-csv"),
    path("<int:pk>/export.json", data_views.export_json, name="consultation-export-json"),
    path("<int:pk>/documents/new/", document_views.document_create, name="document-create"),
    path(
        "<int:pk>/documents/<int:doc_pk>/",
        document_views.document_download,
        name="document-download",
    ),
    path(
        "<int:pk>/documents/<int:doc_pk>/withdraw/",
        document_views.document_withdraw,
        name="document-withdraw",
    ),
]
