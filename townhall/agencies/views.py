from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Agency, StaffMembership


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/home.html", {"agencies": Agency.objects.published()})


def agency_list(request: HttpRequest) -> HttpResponse:
    return render(request, "agencies/agency_list.html", {"agencies": Agency.objects.published()})


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    return render(request, "agencies/agency_detail.html", {"agency": agency})


def staff_list(request: HttpRequest) -> HttpResponse:
    people = StaffMembership.objects.public().select_related("agency")
    return render(request, "agencies/staff_list.html", {"people": people})


def staff_detail(request: HttpRequest, slug: str, person: str) -> HttpResponse:
    member = get_object_or_404(StaffMembership.objects.public(), agency__slug=slug, slug=person)
    return render(request, "agencies/staff_detail.html", {"member": member})
