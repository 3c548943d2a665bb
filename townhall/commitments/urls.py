from django.urls import path

from . import views

app_name = "commitments"
urlpatterns = [
    path("", views.due_date, name="due-date"),
]
