from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congso.catalog.choices import ApplicantType, Level, OnlineMode
from congso.catalog.models import (
    CONTENT_ITEMS,
    Component,
    Fee,
    Field,
    Implementation,
    LegalBasis,
    ProcedureDuration,
    ProcedureVersion,
    Result,
)


class CatalogFieldSerializer(serializers.ModelSerializer):
    procedure_count = serializers.IntegerField(read_only=True, help_text="Procedures in force today in this field.")

    class Meta:
        model = Field
        fields = ["id", "code", "name", "procedure_count"]


class CatalogFieldRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["id", "code", "name"]


class ProcedureDurationSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=False, normalize_output=True,
                                      allow_null=True)

    class Meta:
        model = ProcedureDuration
        fields = ["channel", "amount", "unit", "unit_inferred"]


class ProcedureFeeSerializer(serializers.ModelSerializer):
    effective_amount = serializers.IntegerField(read_only=True, allow_null=True,
                                                help_text="The province's amount if set, else the published one.")

    class Meta:
        model = Fee
        fields = ["name", "kind", "amount", "online_amount", "set_by_province", "amount_override",
                  "effective_amount", "description"]


class ProcedureComponentSerializer(serializers.ModelSerializer):
    template_url = serializers.SerializerMethodField()

    class Meta:
        model = Component
        fields = ["order", "case", "name", "originals", "certified_copies", "photocopies", "required",
                  "template_name", "template_url", "must_be_digitized"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_template_url(self, component) -> str | None:
        if not component.template:
            return None
        request = self.context.get("request")
        url = component.template.url
        return request.build_absolute_uri(url) if request else url


class ProcedureResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = Result
        fields = ["name", "code", "is_document"]


class ProcedureLegalBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LegalBasis
        fields = ["title", "number", "issued_date", "effective_date"]


class ProcedureImplementationSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    agency_name = serializers.CharField(source="agency.name", read_only=True)

    class Meta:
        model = Implementation
        fields = ["agency_code", "agency_name", "level", "online_mode"]


class ProcedureOnlineSummarySerializer(serializers.Serializer):
    agencies = serializers.IntegerField(help_text="Active implementing agencies.")
    full = serializers.IntegerField(help_text="Of which fully online.")
    partial = serializers.IntegerField(help_text="Of which partly online.")


class ProcedureVersionPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcedureVersion
        fields = ["number", "valid_from", "valid_to"]


class ProcedureListSerializer(serializers.ModelSerializer):
    """A procedure as its version in force on the requested day."""

    code = serializers.CharField(source="procedure.code", read_only=True)
    local_code = serializers.CharField(source="procedure.local_code", read_only=True)
    status = serializers.CharField(source="procedure.status", read_only=True)
    version = serializers.IntegerField(source="number", read_only=True)
    field = CatalogFieldRefSerializer(read_only=True)
    levels = serializers.ListField(child=serializers.ChoiceField(choices=Level.choices), read_only=True)
    applicant_types = serializers.ListField(child=serializers.ChoiceField(choices=ApplicantType.choices),
                                            read_only=True)
    durations = ProcedureDurationSerializer(many=True, read_only=True)
    has_fee = serializers.BooleanField(read_only=True)
    online_summary = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = ["code", "local_code", "status", "version", "valid_from", "valid_to", "name", "field", "levels",
                  "applicant_types", "durations", "cutoff_time", "has_fee", "result_is_document", "online_mode",
                  "online_summary", "needs_review"]

    @extend_schema_field(ProcedureOnlineSummarySerializer)
    def get_online_summary(self, version) -> dict:
        if hasattr(version, "agencies_total"):
            return {"agencies": version.agencies_total, "full": version.agencies_full,
                    "partial": version.agencies_partial}
        active = [impl for impl in version.implementations.all() if impl.active]
        return {"agencies": len(active), "full": sum(i.online_mode == OnlineMode.FULL for i in active),
                "partial": sum(i.online_mode == OnlineMode.PARTIAL for i in active)}


class ProcedureDetailSerializer(ProcedureListSerializer):
    components = ProcedureComponentSerializer(many=True, read_only=True)
    fees = ProcedureFeeSerializer(many=True, read_only=True)
    results = ProcedureResultSerializer(many=True, read_only=True)
    legal_basis = ProcedureLegalBasisSerializer(many=True, read_only=True)
    implementations = ProcedureImplementationSerializer(many=True, read_only=True)
    notes = serializers.ListField(child=serializers.CharField(), read_only=True)
    source_urls = serializers.ListField(child=serializers.URLField(), read_only=True)
    review_reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    missing_content = serializers.ListField(
        child=serializers.ChoiceField(choices=[(item, item) for item in CONTENT_ITEMS]), read_only=True,
        help_text="Items of Decree 63/2010 Art. 8(2) the published content lacks.",
    )
    versions = serializers.SerializerMethodField()

    class Meta(ProcedureListSerializer.Meta):
        fields = [*ProcedureListSerializer.Meta.fields, "agency_text", "steps", "method", "conditions",
                  "cutoff_text", "fee_text", "decision_number", "decision_date", "national_publication_date",
                  "components", "fees", "results", "legal_basis", "implementations", "notes", "source_urls",
                  "review_reasons", "missing_content", "versions"]

    @extend_schema_field(ProcedureVersionPeriodSerializer(many=True))
    def get_versions(self, version) -> list[dict]:
        return ProcedureVersionPeriodSerializer(self.context.get("versions", []), many=True).data
