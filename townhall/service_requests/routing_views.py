"""The routing rules page of the staff inbox, /inbox/routing/: every member of staff
reads their agencies' rules; managers and administrators add and remove them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from townhall.agencies.models import Service

from . import actions
from .inbox_forms import RoutingRuleForm, agencies_handled_by, teams_managed_by
from .inbox_views import (
    add_action_errors,
    first_submission,
    forget_submission,
    pk_from_form,
    staff_required,
)
from .models import RoutingRule


def _add(request: HttpRequest, form: RoutingRuleForm) -> RoutingRule | None:
    """Adds the rule the form describes; on a refusal, the reasons go on the form."""
    try:
        return actions.add_routing_rule(
            by=request.user,
            agency=form.cleaned_data["team"].agency,
            team=form.cleaned_data["team"],
            service=form.cleaned_data["service"],
            keywords=form.cleaned_data["keywords"],
            area=form.area(),
            order=form.cleaned_data["order"],
        )
    except (ValidationError, PermissionDenied) as error:
        add_action_errors(form, error)
        return None


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def routing_rules(request: HttpRequest) -> HttpResponse:
    user = request.user
    teams = teams_managed_by(user)
    services = (
        Service.objects.filter(agency__in=teams.values("agency"))
        .select_related("agency")
        .order_by("agency__name", "name")
    )
    form = RoutingRuleForm(teams=teams, services=services)
    status, page_error = 200, ""
    can_manage = teams.exists()
    if request.method == "POST" and "remove" in request.POST:
        rule = (
            RoutingRule.objects.filter(agency__in=agencies_handled_by(user))
            .select_related("agency", "team")
            .filter(pk=pk_from_form(request.POST.get("remove")))
            .first()
        )
        if rule is None:
            messages.info(request, _("That routing rule is already removed."))
            return redirect("inbox:routing")
        try:
            actions.remove_routing_rule(by=user, rule=rule)
        except PermissionDenied as error:
            page_error, status = str(error), 403
        else:
            messages.success(request, _("The routing rule is removed."))
            return redirect("inbox:routing")
    elif request.method == "POST" and not can_manage:
        page_error = _("Only managers and administrators of an agency can change its routing.")
        status = 403
    elif request.method == "POST":
        form = RoutingRuleForm(request.POST, teams=teams, services=services)
        if not first_submission(request, form):
            messages.info(request, _("That form was sent twice; it was done once."))
            return redirect("inbox:routing")
        if form.is_valid() and _add(request, form) is not None:
            messages.success(request, _("New requests that match now go to the team."))
            return redirect("inbox:routing")
        forget_submission(request, form)
    rules = (
        RoutingRule.objects.filter(agency__in=agencies_handled_by(user))
        .select_related("agency", "team", "service")
        .order_by("agency__name", "order", "pk")
    )
    managed_agencies = set(teams.values_list("agency_id", flat=True))
    return render(
        request,
        "service_requests/inbox_routing.html",
        {
            "form": form,
            "rules": [(rule, rule.agency_id in managed_agencies) for rule in rules],
            "can_manage": can_manage,
            "page_error": page_error,
        },
        status=status,
    )
