"""GET /api/v1/calendar/due/: when an answer promised in N working days is due.

The rule is `townhall.commitments.deadlines`; this module only reads the query string and
writes JSON. Bad input is a 400 with the fields in "errors", never a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from townhall.commitments import deadlines

from .serializers import ValidationErrorSerializer
from .views import JSON_ONLY

# A "+" in a query string means a space unless it is sent as %2B; "…T10:00:00 05:00" is
# what an unencoded "+05:00" offset arrives as, so read it as the offset it was.
_SPACE_FOR_PLUS = re.compile(
    r"^(?P<moment>.*\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (?P<offset>\d{2}(?::?\d{2})?)$"
)


# --- the query string ----------------------------------------------------------------------


class DueDateQuerySerializer(serializers.Serializer):
    jurisdiction = serializers.CharField(
        max_length=20,
        help_text=_lazy(
            "Country and optional subdivision of the holiday calendar (ISO 3166), such as "
            "US-IL or US."
        ),
    )
    timezone = serializers.CharField(
        max_length=64,
        required=False,
        help_text=_lazy(
            "IANA time zone the working days are counted in, such as America/Chicago. "
            "Defaults (also when empty) to the site's time zone."
        ),
    )
    start = serializers.CharField(
        max_length=64,
        help_text=_lazy(
            "When the request was received, in ISO 8601, such as 2026-11-20T16:30:00Z or "
            "2026-11-20T10:30:00-06:00 (send “+” as %2B). Without an offset the time is "
            "read in `timezone`; a date alone means that day. The receiving day itself "
            "never counts, whatever the hour."
        ),
    )
    working_days = serializers.IntegerField(
        min_value=deadlines.MIN_WORKING_DAYS,
        max_value=deadlines.MAX_WORKING_DAYS,
        help_text=_lazy("How many working days after the receiving day the answer is due."),
        error_messages={
            key: format_lazy(
                _lazy("Give the number of working days as a whole number from {low} to {high}."),
                low=deadlines.MIN_WORKING_DAYS,
                high=deadlines.MAX_WORKING_DAYS,
            )
            for key in ["invalid", "min_value", "max_value", "max_string_length"]
        },
    )

    def validate_jurisdiction(self, value: str) -> str:
        try:
            country, subdiv = deadlines.parse_jurisdiction(value)
        except deadlines.UnknownJurisdiction as error:
            raise serializers.ValidationError(
                _(
                    "“%(code)s” is not a jurisdiction with a holiday calendar. Use a country "
                    "code with an optional subdivision, such as US or US-IL."
                )
                % {"code": error.code}
            ) from error
        return f"{country}-{subdiv}" if subdiv else country

    def validate_timezone(self, value: str) -> str:
        try:
            deadlines.load_time_zone(value)
        except deadlines.UnknownTimeZone as error:
            raise serializers.ValidationError(
                _("“%(name)s” is not a known time zone. Use an IANA name such as America/Chicago.")
                % {"name": value}
            ) from error
        return value

    def validate_start(self, value: str) -> datetime | date:
        text = value.strip()
        spaced = _SPACE_FOR_PLUS.match(text)
        if spaced:
            text = f"{spaced['moment']}+{spaced['offset']}"
        parsed: datetime | date | None
        try:
            parsed = parse_datetime(text) or parse_date(text)
        except ValueError:  # well formed, but not a real date or time (2026-02-30)
            parsed = None
        if parsed is None:
            raise serializers.ValidationError(
                _(
                    "“%(value)s” is not a date and time in ISO 8601, such as "
                    "2026-11-20T10:30:00-06:00."
                )
                % {"value": value[:64]}
            )
        return parsed

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs.setdefault("timezone", settings.TIME_ZONE)
        return attrs


# --- the answer ----------------------------------------------------------------------------


class OffsetDateTimeField(serializers.DateTimeField):
    """An aware datetime written with its own offset, not converted to the site's zone."""

    def to_representation(self, value: datetime) -> str:  # type: ignore[override]
        return value.isoformat()


class SkippedDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    name = serializers.CharField(
        help_text=_lazy(
            "The holiday's name, the agency's reason for closing, or the weekday "
            "(Saturday, Sunday) for a plain weekend day."
        )
    )


class DueDateSerializer(serializers.Serializer):
    due_at = OffsetDateTimeField(
        help_text=_lazy("23:59:59 on the due date, with the offset of `timezone` on that day.")
    )
    skipped = SkippedDaySerializer(
        many=True,
        help_text=_lazy(
            "Every day after the receiving day up to the due date that did not count, oldest first."
        ),
    )


class DueDateView(APIView):
    permission_classes = [AllowAny]
    renderer_classes = JSON_ONLY

    @extend_schema(
        operation_id="calendar_due_retrieve",
        summary="When an answer promised in N working days is due",
        description=(
            "A deadline of N working days falls at the end (23:59:59 local time) of the Nth "
            "working day after the local date on which the request was received. Weekends "
            "and the jurisdiction's official holidays (with their observed days, from the "
            "`holidays` package) do not count. Agencies' own closure days are not known "
            "here: ask an agency's page for those."
        ),
        parameters=[DueDateQuerySerializer],
        responses={
            200: DueDateSerializer,
            400: OpenApiResponse(
                ValidationErrorSerializer,
                description="A parameter is missing or not valid; “errors” lists each.",
            ),
        },
        examples=[
            OpenApiExample(
                "Twenty working days from 20 November 2026 in Illinois",
                value={
                    "due_at": "2026-12-21T23:59:59-06:00",
                    "skipped": [
                        {"date": "2026-11-21", "name": "Saturday"},
                        {"date": "2026-11-22", "name": "Sunday"},
                        {"date": "2026-11-26", "name": "Thanksgiving Day"},
                    ],
                },
                response_only=True,
            )
        ],
        auth=[],
        tags=["calendar"],
    )
    def get(self, request: Request) -> Response:
        query = DueDateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        calendar = deadlines.WorkingDayCalendar(data["jurisdiction"], data["timezone"])
        start = data["start"]
        if not isinstance(start, datetime):
            start = datetime.combine(start, time(0, 0), tzinfo=calendar.time_zone)
        elif start.tzinfo is None:
            start = start.replace(tzinfo=calendar.time_zone)
        try:
            deadline = calendar.deadline(start, data["working_days"])
        except deadlines.OutOfCalendarRange as error:
            raise serializers.ValidationError(
                {
                    "start": [
                        _(
                            "The holiday calendar covers the years %(first)s to %(last)s, "
                            "and this count would need %(year)s."
                        )
                        % {"first": error.first, "last": error.last, "year": error.year}
                    ]
                }
            ) from error
        except deadlines.CalendarError as error:  # a start the time zone cannot convert
            raise serializers.ValidationError(
                {"start": [_("This date is outside the range the calendar can handle.")]}
            ) from error
        return Response(
            DueDateSerializer(
                {
                    "due_at": deadline.due_at,
                    "skipped": [{"date": d.date, "name": d.name} for d in deadline.skipped],
                }
            ).data
        )
