"""/api/v1/consultations/ (inside the "api" namespace)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ConsultationListView.as_view(), name="consultation-list"),
    path("<int:pk>/", views.ConsultationDetailView.as_view(), name="consultation-detail"),
    path(
        "<int:pk>/comments/",
        views.ConsultationCommentsView.as_view(),
        name="consultation-comments",
    ),
    path(
        "<int:pk>/supports/",
        views.ConsultationSupportsView.as_view(),
        name="consultation-supports",
    ),
    path(
        "<int:pk>/amendments/",
        views.ConsultationAmendmentsView.as_view(),
        name="consultation-amendments",
    ),
    path(
        "<int:pk>/answers/",
        views.ConsultationAnswersView.as_view(),
        name="consultation-answers",
    ),
    path(
        "<int:pk>/response/",
        views.ConsultationResponseView.as_view(),
        name="consultation-response",
    ),
]
