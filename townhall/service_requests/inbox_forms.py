"""Forms of the staff inbox: the queue's filters and bulk actions, the working view's
actions, and a team's saved replies.

Forms only check what people typed; the actions decide what is allowed. Every form of the
working view carries a one-time `submission` token so that a double-clicked button does
the work once (see `inbox_views.first_submission`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from townhall.agencies.models import Agency, Service, StaffMembership, StaffRole, Team
from townhall.identity.widgets import QuickSelect

from .models import REASON_MAX_LENGTH, SavedReply, ServiceRequest, Status

QUEUES = {
    "mine": _("Mine"),
    "team": _("My teams"),
    "unassigned": _("Unassigned"),
    "at_risk": _("At risk"),
    "overdue": _("Overdue"),
    "waiting": _("Waiting for the citizen"),
    "all": _("All"),
}
DEFAULT_QUEUE = "mine"
SORTS = {
    "due": _("Due soonest"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "updated": _("Recently changed"),
}
SEARCH_MAX_LENGTH = 200
# Most requests one bulk action handles: two pages of the queue.
BULK_MAX = 100
BODY_MAX_LENGTH = 20_000
PROMISE_MAX_LENGTH = 300
NOTE_MAX_LENGTH = REASON_MAX_LENGTH
MANAGING_ROLES = (StaffRole.MANAGER, StaffRole.ADMIN)
# A promise without a time is due at the end of its day in the agency's time zone.
END_OF_DAY = time(23, 59, 59)


class ModelChoiceField(forms.ModelChoiceField):
    """A model choice that refuses a NUL character before it reaches the database, and
    whose options read as `label_from(object)` when given. Its list is written without
    a template per option (`QuickSelect`): it holds every team or service of an agency."""

    widget = QuickSelect

    def __init__(
        self, *args: Any, label_from: Callable[[Any], str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.label_from = label_from

    def label_from_instance(self, obj: Any) -> str:
        return self.label_from(obj) if self.label_from else super().label_from_instance(obj)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value.replace("\x00", "")},
            )
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Model choices that refuse a NUL character before it reaches the database."""

    def _check_values(self, value: Any) -> Any:
        for one in value:
            if isinstance(one, str) and "\x00" in one:
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": one.replace("\x00", "")},
                )
        return super()._check_values(value)  # type: ignore[misc]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files (the action checks how many, their size and their type)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(upload, initial) for upload in files if upload]


def _text(
    label: Any,
    *,
    required: bool = True,
    max_length: int = BODY_MAX_LENGTH,
    rows: int = 5,
    **extra: Any,
) -> forms.CharField:
    messages = {
        "required": extra.pop("required_message", _("This field is required.")),
        "max_length": _("Keep it to %(limit_value)s characters or fewer."),
    }
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages=messages,
        **extra,
    )


def agencies_handled_by(user: Any) -> Any:
    """The agencies whose requests `user` works on (every agency for a site administrator)."""
    if user.is_superuser:
        return Agency.objects.all()
    return Agency.objects.filter(memberships__user=user, memberships__is_active=True)


NUL_MESSAGE = _("The text contains a character that cannot be used.")


def explain_nul_characters(form: forms.Form) -> None:
    """Every text field of `form` refuses a NUL character in words people understand."""
    for field in form.fields.values():
        field.error_messages["null_characters_not_allowed"] = NUL_MESSAGE


class OnceForm(forms.Form):
    """A form sent with a one-time token (`submission`): sent twice, it is done once."""

    # Not checked: it only has to match itself (see `inbox_views.first_submission`).
    submission = forms.Field(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        explain_nul_characters(self)
        if not self.is_bound:
            self.fields["submission"].initial = uuid.uuid4().hex


# --- the queue -------------------------------------------------------------------------------


class QueueFilterForm(forms.Form):
    """The queue, its filters and its order: a plain GET form."""

    queue = forms.ChoiceField(
        label=_("Queue"),
        choices=list(QUEUES.items()),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("Choose a queue from the list.")},
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status"))] + list(Status.choices),
        widget=QuickSelect,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    service = ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("Any service"),
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    team = ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Any team"),
        error_messages={"invalid_choice": _("Choose a team from the list.")},
    )
    q = forms.CharField(
        label=_("Reference or words in the description"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        error_messages={
            "max_length": _("Search for at most %(limit_value)s characters."),
        },
    )
    sort = forms.ChoiceField(
        label=_("Order"),
        choices=list(SORTS.items()),
        required=False,
        widget=QuickSelect,
        error_messages={"invalid_choice": _("Choose an order from the list.")},
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        explain_nul_characters(self)
        agencies = agencies_handled_by(user)
        service = self.fields["service"]
        team = self.fields["team"]
        assert isinstance(service, ModelChoiceField)
        assert isinstance(team, ModelChoiceField)
        service.queryset = (
            Service.objects.filter(agency__in=agencies).select_related("agency").order_by("name")
        )
        team.queryset = Team.objects.filter(agency__in=agencies).select_related("agency")
        service.label_from = _with_agency
        team.label_from = _with_agency

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def choice(self, name: str, default: Any = None) -> Any:
        """A filter's value: cleaned when valid, `default` when missing or invalid."""
        if not hasattr(self, "cleaned_data") or name in self.errors:
            return default
        value = self.cleaned_data.get(name)
        return value if value not in (None, "") else default


class BulkForm(OnceForm):
    """Assign or close several requests at once (managers)."""

    ASSIGN, CLOSE = "assign", "close"

    action = forms.ChoiceField(
        choices=[(ASSIGN, _("Assign")), (CLOSE, _("Close"))],
        widget=forms.HiddenInput,
        error_messages={"required": _("Choose what to do with the selected requests.")},
    )
    requests = ModelMultipleChoiceField(
        label=_("Requests"),
        queryset=ServiceRequest.objects.none(),
        to_field_name="reference",
        widget=forms.MultipleHiddenInput,
        error_messages={
            "required": _("Select at least one request."),
            "invalid_choice": _("%(value)s is not a request you can work on."),
            "invalid_pk_value": _("%(pk)s is not a request reference."),
        },
    )
    assignee = ModelChoiceField(
        label=_("Assign to"),
        queryset=StaffMembership.objects.none(),
        required=False,
        empty_label=_("Choose a person"),
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )
    note = forms.CharField(
        label=_("Closing note (public)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        error_messages={"max_length": _("Keep the note to %(limit_value)s characters or fewer.")},
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, requests: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.fields["requests"]
        assignee = self.fields["assignee"]
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        assert isinstance(assignee, ModelChoiceField)
        chosen.queryset = requests
        assignee.queryset = assignable_people(agencies_handled_by(user))
        assignee.label_from = _person_label

    def clean_requests(self) -> Any:
        chosen = self.cleaned_data["requests"]
        if len(chosen) > BULK_MAX:
            raise forms.ValidationError(
                _("Select at most %(limit)s requests at a time."), params={"limit": BULK_MAX}
            )
        return chosen

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("action") == self.ASSIGN
            and cleaned.get("assignee") is None
            and "assignee" not in self.errors
        ):
            self.add_error("assignee", _("Choose the person to assign the requests to."))
        return cleaned


def assignable_people(agencies: Any) -> Any:
    return (
        StaffMembership.objects.active()
        .filter(agency__in=agencies)
        .select_related("agency")
        .order_by("agency__name", "public_name")
    )


def _with_agency(thing: Any) -> str:
    """ "Streets (Public Works)": a team or a service named with its agency."""
    return f"{thing.name} ({thing.agency.name})"


def _person_label(member: StaffMembership) -> str:
    return f"{member.public_name}, {member.job_title} ({member.agency.name})"


# --- the working view ------------------------------------------------------------------------


class WorkingForm(OnceForm):
    """A form of the working view of one request."""

    def __init__(
        self, *args: Any, service_request: ServiceRequest, user: Any, **kwargs: Any
    ) -> None:
        self.service_request = service_request
        self.user = user
        super().__init__(*args, **kwargs)


class TakeForm(WorkingForm):
    pass


class AssignForm(WorkingForm):
    assignee = ModelChoiceField(
        label=_("Person"),
        queryset=StaffMembership.objects.none(),
        required=False,
        empty_label=_("Keep as it is"),
        error_messages={"invalid_choice": _("Choose a person from the list.")},
    )
    team = ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("Keep as it is"),
        error_messages={"invalid_choice": _("Choose a team from the list.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.service_request.agency
        assignee = self.fields["assignee"]
        team = self.fields["team"]
        assert isinstance(assignee, ModelChoiceField)
        assert isinstance(team, ModelChoiceField)
        assignee.queryset = (
            StaffMembership.objects.active().filter(agency=agency).order_by("public_name")
        )
        assignee.label_from = lambda m: f"{m.public_name}, {m.job_title}"
        team.queryset = Team.objects.filter(agency=agency)
        team.label_from = lambda t: t.name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and cleaned.get("assignee") is None and cleaned.get("team") is None:
            raise forms.ValidationError(_("Choose a person, a team, or both."))
        return cleaned


class TransferForm(WorkingForm):
    team = ModelChoiceField(
        label=_("Another team of this agency"),
        queryset=Team.objects.none(),
        required=False,
        empty_label=_("No team"),
        error_messages={"invalid_choice": _("Choose a team from the list.")},
    )
    agency = ModelChoiceField(
        label=_("Or another agency"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("No other agency"),
        error_messages={"invalid_choice": _("Choose an agency from the list.")},
    )
    note = _text(
        _("Public note"),
        max_length=NOTE_MAX_LENGTH,
        rows=3,
        help_text=_("Shown to the citizen and on the public status page: why it moves."),
        required_message=_("Say why the request moves; the citizen will read it."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sr = self.service_request
        team = self.fields["team"]
        agency = self.fields["agency"]
        assert isinstance(team, ModelChoiceField)
        assert isinstance(agency, ModelChoiceField)
        teams = Team.objects.filter(agency=sr.agency)
        team.queryset = teams.exclude(pk=sr.team_id) if sr.team_id else teams
        team.label_from = lambda t: t.name
        agency.queryset = Agency.objects.exclude(pk=sr.agency_id).order_by("name")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        team, agency = cleaned.get("team"), cleaned.get("agency")
        if "team" in self.errors or "agency" in self.errors:
            return cleaned
        if team is None and agency is None:
            raise forms.ValidationError(_("Choose the team or the agency to transfer to."))
        if team is not None and agency is not None:
            raise forms.ValidationError(
                _("Choose a team of this agency or another agency, not both.")
            )
        return cleaned


class ReplyForm(WorkingForm):
    """A reply to the citizen, signed by the staff member, with an optional promise."""

    body = _text(
        _("Reply"),
        rows=8,
        help_text=_("Sent to the citizen at once and shown on the status page if it is public."),
        required_message=_("Write your reply."),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        help_text=_("Photos, PDF or text files; at most 5 files of 10 MB each."),
    )
    promise = forms.CharField(
        label=_("Promise"),
        required=False,
        max_length=PROMISE_MAX_LENGTH,
        help_text=_("Only if you promise something, such as “I will call you”."),
        error_messages={
            "max_length": _("Keep the promise to %(limit_value)s characters or fewer.")
        },
    )
    promise_date = forms.DateField(
        label=_("Promised by (date)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("For example 2026-11-20."),
        error_messages={"invalid": _("Enter a real date, for example 2026-11-20.")},
    )
    promise_time = forms.TimeField(
        label=_("Promised by (time)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("In the agency's local time. Without a time: the end of that day."),
        error_messages={"invalid": _("Enter a time such as 14:30.")},
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()

    def clean_promise(self) -> str:
        return " ".join(self.cleaned_data["promise"].split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name in self.errors for name in ("promise", "promise_date", "promise_time")):
            return cleaned
        promise, day, moment = (
            cleaned.get("promise"),
            cleaned.get("promise_date"),
            cleaned.get("promise_time"),
        )
        cleaned["promise_due_at"] = None
        if promise and day is None:
            self.add_error("promise_date", _("Give the date by which you promise it."))
        elif day is not None and not promise:
            self.add_error("promise", _("Say what you promise by that date."))
        elif moment is not None and not promise:
            self.add_error("promise", _("Say what you promise by that time."))
        elif promise and day is not None:
            due_at = promise_due_at(day, moment, self.service_request.agency.time_zone)
            if due_at <= timezone.now():
                self.add_error("promise_date", _("A promise must be due in the future."))
            else:
                cleaned["promise_due_at"] = due_at
        return cleaned


def promise_due_at(day: date, moment: time | None, time_zone: str) -> datetime:
    """The aware due time of a promise: `moment` (else the end of `day`) in the agency's zone."""
    try:
        zone = ZoneInfo(time_zone)
    except (ValueError, KeyError, OSError):
        zone = ZoneInfo("UTC")
    return datetime.combine(day, moment or END_OF_DAY, tzinfo=zone)


class NoteForm(WorkingForm):
    body = _text(
        _("Note for staff"),
        rows=4,
        help_text=_("Seen only by staff of this agency, never by the citizen or the public."),
        required_message=_("Write the note."),
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()


class ClarifyForm(WorkingForm):
    body = _text(
        _("What do you need to know?"),
        rows=4,
        help_text=_("Sent to the citizen. The clock stops until they answer."),
        required_message=_("Write your question to the citizen."),
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()


class AnswerForm(WorkingForm):
    body = _text(
        _("Answer"),
        rows=8,
        help_text=_("The agency's answer to the request. It keeps the promise to respond."),
        required_message=_("Write the answer."),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        help_text=_("Photos, PDF or text files; at most 5 files of 10 MB each."),
    )

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()


class CloseForm(WorkingForm):
    note = forms.CharField(
        label=_("Closing note (public)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Keep the note to %(limit_value)s characters or fewer.")},
    )


class DeclineForm(WorkingForm):
    reason = _text(
        _("Reason (public)"),
        max_length=NOTE_MAX_LENGTH,
        rows=3,
        help_text=_("Shown to the citizen and on the public status page."),
        required_message=_("Give the reason; it is shown to the public."),
    )


class DuplicateForm(WorkingForm):
    original = forms.CharField(
        label=_("Reference of the original request"),
        max_length=24,
        help_text=_("For example SPR-2026-000123. Its followers are merged into it."),
        error_messages={
            "required": _("Give the reference of the original request."),
            "max_length": _("A reference looks like SPR-2026-000123."),
        },
    )
    note = forms.CharField(
        label=_("Note (public)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("Keep the note to %(limit_value)s characters or fewer.")},
    )

    def clean_original(self) -> ServiceRequest:
        reference = self.cleaned_data["original"].strip().upper()
        original = (
            ServiceRequest.objects.visible_to(self.user)
            .handled_by(self.user)
            .filter(reference=reference)
            .first()
        )
        if original is None:
            raise forms.ValidationError(
                _("There is no request %(reference)s that you can work on."),
                params={"reference": reference[:24]},
            )
        return original


class ExtendForm(WorkingForm):
    reason = _text(
        _("Reason for the extension (public)"),
        max_length=NOTE_MAX_LENGTH,
        rows=3,
        help_text=_("The law allows one extension; the reason is shown to the public."),
        required_message=_("Give the reason for the extension."),
    )


class KeepForm(WorkingForm):
    """“Mark as kept” next to one of the request's open promises (the action checks it is
    a custom promise about this request)."""

    commitment = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**63 - 1,
        error_messages={
            "required": _("Choose the promise you kept."),
            "invalid": _("Choose the promise you kept."),
            "min_value": _("Choose the promise you kept."),
            "max_value": _("Choose the promise you kept."),
        },
    )


# --- saved replies ---------------------------------------------------------------------------


class SavedReplyForm(OnceForm):
    team = ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        empty_label=_("Choose a team"),
        error_messages={
            "required": _("Choose the team the reply is for."),
            "invalid_choice": _("Choose a team from the list."),
        },
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=SavedReply._meta.get_field("title").max_length,
        help_text=_("What staff see in the list of saved replies."),
        error_messages={
            "required": _("Give the saved reply a title."),
            "max_length": _("Keep the title to %(limit_value)s characters or fewer."),
        },
    )
    body = _text(
        _("Reply"),
        max_length=SavedReply._meta.get_field("body").max_length or BODY_MAX_LENGTH,
        rows=6,
        help_text=_("Staff can change it before they send it, under their own name."),
        required_message=_("Write the reply."),
    )

    def __init__(self, *args: Any, teams: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team = self.fields["team"]
        assert isinstance(team, ModelChoiceField)
        team.queryset = teams
        team.label_from = _with_agency

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_body(self) -> str:
        return self.cleaned_data["body"].strip()


def saved_reply_choices(agency: Agency) -> Any:
    """The saved replies offered when replying on a request of `agency`."""
    return SavedReply.objects.filter(team__agency=agency).select_related("team")


def teams_managed_by(user: Any) -> Any:
    """Teams whose saved replies `user` may manage (managers and administrators of the
    team's agency; every team for a site administrator)."""
    teams = Team.objects.select_related("agency").order_by("agency__name", "name")
    if user.is_superuser:
        return teams
    return teams.filter(
        agency__in=Agency.objects.filter(
            Q(memberships__user=user)
            & Q(memberships__is_active=True)
            & Q(memberships__role__in=MANAGING_ROLES)
        )
    )


def _edge(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        error_messages={
            "invalid": _("Give the edge as a number of degrees, such as 41.878."),
            "max_digits": _("Give the edge with at most six decimal places."),
            "max_decimal_places": _("Give the edge with at most six decimal places."),
            "min_value": _("Give the edge between -180 and 180 degrees."),
            "max_value": _("Give the edge between -180 and 180 degrees."),
        },
    )


class RoutingRuleForm(OnceForm):
    """A new routing rule: the team it routes to and the conditions, all optional but one."""

    team = ModelChoiceField(
        label=_("Send to team"),
        queryset=Team.objects.none(),
        empty_label=_("Choose a team"),
        error_messages={
            "required": _("Choose the team new requests go to."),
            "invalid_choice": _("Choose a team from the list."),
        },
    )
    service = ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("Any service"),
        error_messages={"invalid_choice": _("Choose a service from the list.")},
    )
    keywords = forms.CharField(
        label=_("Keywords"),
        required=False,
        max_length=1_600,
        help_text=_("Separate words with commas. Any of them in the description matches."),
        error_messages={"max_length": _("Keep the keywords to %(limit_value)s characters.")},
    )
    south = _edge(_("South edge (latitude)"))
    west = _edge(_("West edge (longitude)"))
    north = _edge(_("North edge (latitude)"))
    east = _edge(_("East edge (longitude)"))
    order = forms.IntegerField(
        label=_("Order"),
        initial=0,
        min_value=0,
        max_value=32_767,
        help_text=_("Rules are tried from the lowest number; the first that matches wins."),
        error_messages={
            "required": _("Give the order as a whole number from 0."),
            "invalid": _("Give the order as a whole number from 0."),
            "min_value": _("Give the order as a whole number from 0."),
            "max_value": _("Give an order of at most %(limit_value)s."),
        },
    )

    AREA = ("south", "west", "north", "east")

    def __init__(self, *args: Any, teams: Any, services: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, queryset in (("team", teams), ("service", services)):
            field = self.fields[name]
            assert isinstance(field, ModelChoiceField)
            field.queryset = queryset
            field.label_from = _with_agency

    def area(self) -> list[Any] | None:
        values = [self.cleaned_data.get(name) for name in self.AREA]
        return None if all(value is None for value in values) else values

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        values = [cleaned.get(name) for name in self.AREA]
        given = [value is not None for value in values]
        if any(given) and not all(given) and not any(name in self.errors for name in self.AREA):
            self.add_error("south", _("Give all four edges of the area, or none."))
        team, service = cleaned.get("team"), cleaned.get("service")
        keywords = [word for word in (cleaned.get("keywords") or "").split(",") if word.strip()]
        if team is not None and service is None and not keywords and not any(given):
            self.add_error(
                None,
                _("Give at least one condition: a service, keywords or an area."),
            )
        if team is not None and service is not None and service.agency_id != team.agency_id:
            self.add_error("service", _("Choose a service of the team's agency."))
        return cleaned
