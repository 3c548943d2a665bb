"""“Me too”: other citizens support a public request and follow it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from townhall.activity.actions import follow
from townhall.activity.models import Visibility

from ..models import (
    FINAL_STATUSES,
    ServiceRequest,
    Support,
)
from .steps import (
    _is_authenticated,
    _locked,
    _record,
    _status_words,
    _sync,
)


def _existing_support(request: ServiceRequest, user: Any) -> Support | None:
    return Support.objects.filter(request=request, user=user).first()


@transaction.atomic
def support_request(*, by: Any, request: ServiceRequest) -> Support:
    """Another citizen says “me too” about a public request and follows it. Saying it
    twice changes nothing."""
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to say “me too”."))
    current = _locked(request)
    if not current.is_public:
        raise PermissionDenied(_("Only public requests can be supported."))
    if current.requester_id == by.pk:
        raise ValidationError(_("This is your own request; you follow it already."))
    if current.status in FINAL_STATUSES:
        raise ValidationError(
            _("This request is %(status)s; it can no longer be supported.")
            % {"status": _status_words(current.status)}
        )
    existing = _existing_support(current, by)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            support = Support.objects.create(request=current, user=by)
    except IntegrityError:  # the same person, twice at once
        return Support.objects.get(request=current, user=by)
    ServiceRequest.objects.filter(pk=current.pk).update(supporter_count=F("supporter_count") + 1)
    current.refresh_from_db(fields=["supporter_count"])
    _record(
        current,
        verb="request.supported",
        summary=f"{by.display_name} said “me too”",
        by=by,
        visibility=Visibility.PUBLIC,
    )
    follow(by=by, target=current)
    _sync(request, current)
    return support


@transaction.atomic
def withdraw_support(*, by: Any, request: ServiceRequest) -> None:
    """Take back a “me too”. Nothing happens when there was none."""
    if not _is_authenticated(by):
        raise PermissionDenied(_("Sign in to do this."))
    current = _locked(request)
    deleted, _unused = Support.objects.filter(request=current, user=by).delete()
    if not deleted:
        return
    ServiceRequest.objects.filter(pk=current.pk, supporter_count__gt=0).update(
        supporter_count=F("supporter_count") - 1
    )
    current.refresh_from_db(fields=["supporter_count"])
    _record(
        current,
        verb="request.support_withdrawn",
        summary=f"{by.display_name} withdrew their “me too”",
        by=by,
        visibility=Visibility.PUBLIC if current.is_public else Visibility.PARTICIPANTS,
    )
    _sync(request, current)
