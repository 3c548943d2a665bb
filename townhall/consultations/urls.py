from django.urls import path

from . import data_views, history_views, response_views, views

app_name = "consultations"
urlpatterns = [
    path("", views.consultation_list, name="consultation-list"),
    path("reported/", views.moderation_queue, name="moderation-queue"),
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
]
