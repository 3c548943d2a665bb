from django.urls import path

from . import views

app_name = "identity"
urlpatterns = [
    path("", views.account, name="account"),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("verify/", views.verify_in_person, name="verify-in-person"),
]
