"""The promises staff type while replying (“I will call you by Friday”): keeping them.

The acknowledge, respond and extension commitments are kept by the request's own steps
(the first reply, the answer, the closure); a custom promise is kept when the staff
member says it is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from townhall.commitments import actions as commitment_actions
from townhall.commitments.models import Commitment, CommitmentKind, CommitmentState

from ..models import ServiceRequest
from .steps import _locked, _name, _now, _record, _require_staff, _sync


@transaction.atomic
def keep_promise(
    *,
    by: Any,
    request: ServiceRequest,
    commitment: Commitment,
    at: dt.datetime | None = None,
) -> Commitment:
    """Staff of the request's agency say a custom promise about this request is done
    (`at`, default now): it is kept — or, done after its due time, counted broken and done
    late. Keeping it again changes nothing and logs nothing.

    Refused (ValidationError): a commitment about another request, one that is not a
    custom promise (those are kept by replying and answering), or one renegotiated or
    cancelled. PermissionDenied for anyone but the agency's staff (and site administrators).
    """
    when = _now(at)
    current = _locked(request)
    persona = _require_staff(by, current.agency, _("keep its promises"))
    promise = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("agency", "made_to")
        .filter(pk=commitment.pk)
        .first()
    )
    about_this = (
        promise is not None
        and promise.subject_type_id == ContentType.objects.get_for_model(ServiceRequest).pk
        and promise.subject_id == str(current.pk)
    )
    if promise is None or not about_this:
        raise ValidationError(
            {
                "commitment": _("That promise is not about %(reference)s.")
                % {"reference": current.reference}
            }
        )
    if promise.kind != CommitmentKind.CUSTOM:
        raise ValidationError(
            {
                "commitment": _(
                    "Only a promise written in a reply can be marked as kept. The "
                    "commitments to acknowledge and to respond are kept by replying to and "
                    "answering the request."
                )
            }
        )
    if promise.state == CommitmentState.KEPT or (
        promise.state == CommitmentState.BROKEN and promise.done_at is not None
    ):
        _sync(request, current)
        return promise  # done already: nothing to do, nothing to log
    if promise.state in (CommitmentState.RENEGOTIATED, CommitmentState.CANCELLED):
        raise ValidationError(
            {
                "commitment": _(
                    "This promise was %(state)s; it can no longer be kept. Keep the promise "
                    "that replaced it, if any."
                )
                % {"state": promise.get_state_display().lower()}
            }
        )
    done = commitment_actions.keep_commitment(by=by, commitment=promise, at=when)
    if done.state == CommitmentState.KEPT:
        summary = f"{_name(by, persona)} kept the promise {done.what}"
    else:
        summary = f"{_name(by, persona)} did what was promised, late: {done.what}"
    _record(
        current,
        verb="request.promise_kept",
        summary=summary,
        by=by,
        persona=persona,
        at=at,
    )
    _sync(request, current)
    return done
