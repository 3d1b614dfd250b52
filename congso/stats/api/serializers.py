from __future__ import annotations

from rest_framework import serializers


class StatsPeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()


class StatsValuesSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    received_direct = serializers.IntegerField()
    received_online = serializers.IntegerField()
    received_postal = serializers.IntegerField()
    refused = serializers.IntegerField()
    supplemented = serializers.IntegerField()
    digitized = serializers.IntegerField()
    fee_due = serializers.IntegerField()
    paid_online = serializers.IntegerField()
    resolved = serializers.IntegerField()
    resolved_early = serializers.IntegerField()
    resolved_on_time = serializers.IntegerField()
    resolved_late = serializers.IntegerField()
    resolved_late_apology = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    stopped = serializers.IntegerField()
    rated = serializers.IntegerField()
    rated_satisfied = serializers.IntegerField()
    in_progress_within = serializers.IntegerField(help_text="Open now, appointment not passed.")
    in_progress_overdue = serializers.IntegerField(help_text="Open now, appointment passed.")


class StatsRatesSerializer(serializers.Serializer):
    on_time_pct = serializers.FloatField(allow_null=True)
    late_pct = serializers.FloatField(allow_null=True)
    online_pct = serializers.FloatField(allow_null=True)
    digitized_pct = serializers.FloatField(allow_null=True)
    paid_online_pct = serializers.FloatField(allow_null=True)
    satisfied_pct = serializers.FloatField(allow_null=True)


class StatsRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Agency id, level, field id, procedure id or channel.")
    label = serializers.CharField()
    values = StatsValuesSerializer()
    rates = StatsRatesSerializer()


class StatsTableSerializer(serializers.Serializer):
    period = StatsPeriodSerializer()
    group = serializers.CharField()
    rows = StatsRowSerializer(many=True)
    total = StatsRowSerializer()


class StatsDossierCountsSerializer(serializers.Serializer):
    """The Decision 766 dossier counts (definitions: congso.stats.queries.DossierCounts, docs/statistics.md)."""

    start = serializers.DateField()
    end = serializers.DateField()
    as_of = serializers.DateTimeField()
    received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    online_dossiers = serializers.IntegerField()
    digitized = serializers.IntegerField()
    reused = serializers.IntegerField()
    data_store = serializers.IntegerField()
    population_dossiers = serializers.ListField(child=serializers.IntegerField(), help_text="[n, d]")
    paid_online = serializers.ListField(child=serializers.IntegerField(), help_text="[n, d]")
    resolved = serializers.IntegerField()
    e_result = serializers.ListField(child=serializers.IntegerField(), help_text="[n, d]")
    dossier_satisfied = serializers.ListField(child=serializers.IntegerField(), help_text="[n, d]")
    procedures_population_linked = serializers.ListField(child=serializers.IntegerField())
    procedures_paid_online = serializers.ListField(child=serializers.IntegerField())
    online_services_with_dossiers = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField()), help_text="[[procedure id, agency id], …]")
