"""Public agency pages, the staff directory, and a staff member's own work profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import actions, queries
from .forms import StaffDirectoryFilterForm, StaffProfileForm
from .models import Agency, Service, StaffMembership, memberships_of

HOME_AGENCY_LIMIT = 6
STAFF_PAGE_SIZE = 50
AGENCY_PAGE_SIZE = 50


def home(request: HttpRequest) -> HttpResponse:
    published = Agency.objects.published()
    return render(
        request,
        "agencies/home.html",
        {"agencies": list(published[:HOME_AGENCY_LIMIT]), "agency_total": published.count()},
    )


def agency_list(request: HttpRequest) -> HttpResponse:
    agencies = queries.published_agencies().order_by("name", "pk")
    page = Paginator(agencies, AGENCY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "agencies/agency_list.html", {"page": page, "filter_query": ""})


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published().select_related("parent"), slug=slug)
    parent = agency.parent if agency.parent and agency.parent.is_published else None
    context = {
        "agency": agency,
        "parent": parent,
        "children": list(agency.children.published()),
        "goals": list(agency.goals.all()),
        "services": list(Service.objects.active().filter(agency=agency)),
        "teams": list(agency.teams.all()),
        "people": list(queries.public_people().filter(agency=agency)),
        "activities": list(queries.recent_public_activity(agency, request.user)),
    }
    return render(request, "agencies/agency_detail.html", context)


def service_detail(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """A service: what it is for, its standard, what it asks and who can file it."""
    service = get_object_or_404(
        Service.objects.active().select_related("agency").prefetch_related("attributes"),
        agency__slug=slug,
        code=code,
    )
    return render(
        request,
        "agencies/service_detail.html",
        {
            "service": service,
            "agency": service.agency,
            "questions": [a for a in service.attributes.all() if a.variable],
            "notes": [a for a in service.attributes.all() if not a.variable],
        },
    )


def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffDirectoryFilterForm(request.GET or None)
    people = queries.public_people()
    chosen_agency = None
    if form.is_bound and form.is_valid():
        chosen_agency = form.cleaned_data["agency"]
        if chosen_agency is not None:
            people = people.filter(agency=chosen_agency)
    page = Paginator(people, STAFF_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "agencies/staff_list.html",
        {
            "form": form,
            "page": page,
            "chosen_agency": chosen_agency,
            "filter_query": query.urlencode(),
        },
    )


def staff_detail(request: HttpRequest, slug: str, person: str) -> HttpResponse:
    member = get_object_or_404(
        StaffMembership.objects.public().select_related("agency").prefetch_related("teams"),
        agency__slug=slug,
        slug=person,
    )
    return render(request, "agencies/staff_detail.html", {"member": member})


def _profile_form_prefix(membership: StaffMembership) -> str:
    return f"membership-{membership.pk}"


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_profile(request: HttpRequest) -> HttpResponse:
    """A staff member's own work personas, each with its profile form."""
    personas = list(memberships_of(request.user).prefetch_related("teams"))
    if not personas:
        return render(request, "agencies/my_profile_not_staff.html", status=403)
    bound_form = None
    if request.method == "POST":
        # Only the account's own active personas can be edited here.
        membership = next(
            (m for m in personas if str(m.pk) == request.POST.get("membership", "")), None
        )
        if membership is None:
            raise PermissionDenied(_("You can only edit your own staff profile."))
        bound_form = StaffProfileForm(request.POST, prefix=_profile_form_prefix(membership))
        if bound_form.is_valid():
            actions.update_staff_profile(
                by=request.user,
                membership=membership,
                bio=bound_form.cleaned_data["bio"],
                is_public_profile=bound_form.cleaned_data["is_public_profile"],
            )
            messages.success(
                request,
                _("Your profile as %(name)s at %(agency)s is saved.")
                % {"name": membership.public_name, "agency": membership.agency.name},
            )
            return redirect("agencies:my-profile")
    entries = []
    for membership in personas:
        if bound_form is not None and bound_form.prefix == _profile_form_prefix(membership):
            form = bound_form
        else:
            form = StaffProfileForm(
                prefix=_profile_form_prefix(membership),
                initial={"bio": membership.bio, "is_public_profile": membership.is_public_profile},
            )
        entries.append((membership, form))
    return render(
        request,
        "agencies/my_profile.html",
        {"entries": entries, "bound_form": bound_form},
    )
