from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="agency-list"),
    path("people/", views.staff_list, name="staff-list"),
    path("people/me/", views.my_profile, name="my-profile"),
    path("<slug:slug>/", views.agency_detail, name="agency-detail"),
    path("<slug:slug>/people/<slug:person>/", views.staff_detail, name="staff-detail"),
    path("<slug:slug>/services/<slug:code>/", views.service_detail, name="service-detail"),
]
