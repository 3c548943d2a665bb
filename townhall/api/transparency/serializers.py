"""The shapes of the transparency API's answers (for the OpenAPI schema)."""

from __future__ import annotations

from rest_framework import serializers

from townhall.agencies.models import GoalMetric


class DashboardAgencyLinkSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.URLField(help_text="These figures in the API.")
    dashboard_url = serializers.URLField(help_text="The agency's dashboard page.")


def _share(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


def _hours(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text=help_text)


class DashboardFiguresSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Requests received, private ones included.")
    acknowledged = serializers.IntegerField(help_text="Of those, replied to by a person by now.")
    answered = serializers.IntegerField(help_text="Of those, answered by now.")
    closed = serializers.IntegerField(help_text="Of those, closed, declined or duplicates now.")
    open = serializers.IntegerField(help_text="Of those, still open now.")
    median_hours_to_acknowledge = _hours("Median hours from filing to the first reply.")
    p90_hours_to_acknowledge = _hours("90th percentile of the same.")
    median_hours_to_respond = _hours("Median hours from filing to the answer.")
    p90_hours_to_respond = _hours("90th percentile of the same.")
    acknowledged_on_time_share = _share("Share acknowledged within the service's standard.")
    answered_on_time_share = _share("Share of the answered ones answered by their deadline.")
    commitments_made = serializers.IntegerField(help_text="Promises made in that time.")
    commitments_kept = serializers.IntegerField()
    commitments_broken = serializers.IntegerField(help_text="A broken promise stays broken.")
    commitments_renegotiated = serializers.IntegerField()
    commitments_cancelled = serializers.IntegerField(help_text="Withdrawn with their request.")
    commitments_open = serializers.IntegerField()
    promises_kept_share = _share("kept ÷ (kept + broken + renegotiated).")
    promises_broken_share = _share("broken ÷ (kept + broken + renegotiated).")
    promises_renegotiated_share = _share("renegotiated ÷ (kept + broken + renegotiated).")
    foi_received = serializers.IntegerField()
    foi_on_time = serializers.IntegerField()
    foi_late = serializers.IntegerField()
    foi_extended = serializers.IntegerField()
    foi_on_time_share = _share("on time ÷ (on time + late).")


class DashboardPeriodFiguresSerializer(DashboardFiguresSerializer):
    start = serializers.DateField(help_text="The period's first day.")


class DashboardServiceFiguresSerializer(DashboardFiguresSerializer):
    code = serializers.CharField(allow_null=True, help_text="Null: promises not about a request.")
    name = serializers.CharField(allow_null=True)


class DashboardTeamFiguresSerializer(DashboardFiguresSerializer):
    slug = serializers.CharField(allow_null=True, help_text="Null: no team holds them.")
    name = serializers.CharField(allow_null=True)


class DashboardBacklogSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    median_age_days = serializers.IntegerField(
        allow_null=True,
        help_text="Half the open requests were received at least this many days ago.",
    )
    by_age = serializers.DictField(child=serializers.IntegerField())


class DashboardGoalSerializer(serializers.Serializer):
    title = serializers.CharField()
    measure = serializers.CharField(help_text="How the goal is measured, in words.")
    metric = serializers.ChoiceField(
        choices=GoalMetric.choices,
        allow_null=True,
        help_text=(
            "The figure of this answer the goal is checked against, or null when it has no "
            "target. Shares (`…_share`) are compared in percent, higher is better; hours, "
            "lower is better."
        ),
    )
    target = serializers.FloatField(
        allow_null=True,
        help_text="Percent (0 to 100): the least to reach; hours: the most to take. Null: none.",
    )
    actual = serializers.FloatField(
        allow_null=True,
        help_text=(
            "The figure in that time, in the target's unit (percent, not 0 to 1; or hours), "
            "one decimal. Null: no target, or nothing counted yet."
        ),
    )
    met = serializers.BooleanField(
        allow_null=True,
        help_text="Whether the figure meets the target. Null: no target, or not enough data yet.",
    )


class DashboardConsultationsPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    closed = serializers.IntegerField(help_text="Consultations that closed in the period.")
    responded = serializers.IntegerField(help_text="Of those, with their response published.")
    open = serializers.IntegerField()
    responded_share = serializers.FloatField(allow_null=True)


class DashboardConsultationsSerializer(serializers.Serializer):
    closed = serializers.IntegerField(help_text="Consultations that closed in that time.")
    responded = serializers.IntegerField(help_text="Of those, with their response published.")
    open = serializers.IntegerField(help_text="Open for comments now.")
    responded_share = serializers.FloatField(allow_null=True)
    periods = DashboardConsultationsPeriodSerializer(many=True)


class DashboardAgencySerializer(DashboardFiguresSerializer):
    agency = DashboardAgencyLinkSerializer()
    period = serializers.ChoiceField(choices=["week", "month"])
    since = serializers.DateField()
    until = serializers.DateField(help_text="The first day after the figures' time.")
    open = serializers.IntegerField(help_text="Every request of the agency still open now.")
    open_received_in_window = serializers.IntegerField(
        help_text="Of the requests received in that time, how many are still open."
    )
    backlog = DashboardBacklogSerializer()
    periods = DashboardPeriodFiguresSerializer(many=True)
    services = DashboardServiceFiguresSerializer(many=True)
    teams = DashboardTeamFiguresSerializer(many=True)
    goals = DashboardGoalSerializer(many=True)
    consultations = DashboardConsultationsSerializer()


class DashboardAgencyHeadlineSerializer(serializers.Serializer):
    agency = DashboardAgencyLinkSerializer()
    received = serializers.IntegerField()
    answered = serializers.IntegerField()
    open = serializers.IntegerField(help_text="Requests still open now.")
    commitments_kept = serializers.IntegerField()
    commitments_broken = serializers.IntegerField()
    commitments_renegotiated = serializers.IntegerField()
    promises_kept_share = serializers.FloatField(allow_null=True)
    foi_on_time_share = serializers.FloatField(allow_null=True)
