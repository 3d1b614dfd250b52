"""Serializers of the index API: the counts document (for the schema; `congso.indices.scoring.parse_counts` does the
checking and names every problem) and the results."""

from __future__ import annotations

from rest_framework import serializers


class PairField(serializers.ListField):
    """[n, d]: two whole numbers, 0 ≤ n ≤ d."""

    child = serializers.IntegerField(min_value=0)
    min_length = 2
    max_length = 2


class TransparencyCountsSerializer(serializers.Serializer):
    published_on_time = PairField(required=False)
    updated_on_time = PairField(required=False)
    content_full = PairField(required=False)
    dossiers_synced = PairField(required=False)


class ProgressCountsSerializer(serializers.Serializer):
    on_time = serializers.IntegerField(min_value=0)
    received = serializers.IntegerField(min_value=0)


class OnlineCountsSerializer(serializers.Serializer):
    procedures_online = PairField(required=False)
    online_services_with_dossiers = PairField(required=False)
    online_dossiers = PairField(required=False)


class DigitizationCountsSerializer(serializers.Serializer):
    e_result = PairField(required=False)
    digitized = PairField(required=False)
    reused = PairField(required=False)
    data_store = PairField(required=False)
    population_data_procedures = PairField(required=False)
    population_data_dossiers = PairField(required=False)
    e_certified_copy = PairField(required=False)


class SatisfactionCountsSerializer(serializers.Serializer):
    feedback_on_time = PairField(required=False)
    feedback_satisfied = PairField(required=False)
    dossier_satisfied = PairField(required=False)


class PaymentCountsSerializer(serializers.Serializer):
    paid_online = PairField(required=False)
    procedures_with_online_payment = PairField(required=False)
    procedures_integrated = PairField(required=False)


class CountsSerializer(serializers.Serializer):
    """The counts document of docs/index766.md. A group left out is N/A; an indicator left out is N/A."""

    profile = serializers.CharField(required=False, help_text="Profile key, e.g. dvcqg-2025 (default: in force today).")
    level = serializers.ChoiceField(["province", "district", "commune", "agency"], required=False,
                                    help_text="Optional: the unit's level (commune rules apply to a commune).")
    transparency = TransparencyCountsSerializer(required=False)
    progress = ProgressCountsSerializer(required=False)
    online = OnlineCountsSerializer(required=False)
    digitization = DigitizationCountsSerializer(required=False)
    satisfaction = SatisfactionCountsSerializer(required=False)
    payment = PaymentCountsSerializer(required=False)


class ScoresSerializer(serializers.Serializer):
    profile = serializers.CharField()
    groups = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                   help_text="Group key → score (null = N/A).")
    indicators = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                       help_text="`group.indicator` (or `progress`) → score (null = N/A).")
    total = serializers.FloatField(allow_null=True)
    max_total = serializers.FloatField()


class UnitSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(["agency", "unit"])
    level = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    # "from" is a Python keyword: declared below.
    to = serializers.DateField()
    as_of = serializers.DateTimeField()

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = serializers.DateField()
        return fields


class RatingSerializer(serializers.Serializer):
    key = serializers.CharField()
    confirmed = serializers.BooleanField()
    percent = serializers.FloatField()


class ComputeResultSerializer(serializers.Serializer):
    unit = UnitSerializer()
    period = PeriodSerializer()
    counts = CountsSerializer()
    scores = ScoresSerializer()
    no_data = serializers.ListField(child=serializers.CharField(),
                                    help_text="Indicators N/A because congso has no data for them yet.")
    rating = RatingSerializer(allow_null=True)
