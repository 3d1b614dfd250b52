import base64
import binascii

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from congso.dossiers.choices import ApplicantKind, Channel, PaymentMethod, Status
from congso.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierFee,
    DossierStep,
    Extension,
    HandOver,
    Payment,
    ProcessingEvent,
    ResultDocument,
    SupplementRequest,
)
from congso.dossiers.transitions import allowed_actions
from congso.privacy.masking import mask_id_number, mask_phone

MAX_BASE64 = 28 * 1024 * 1024  # 20 MB of content once decoded, with room for the encoding


class FileInputSerializer(serializers.Serializer):
    file_name = serializers.CharField(max_length=255)
    content_base64 = serializers.CharField(max_length=MAX_BASE64, help_text=_("The file's bytes, base64-encoded."))

    def validate(self, attrs):
        try:
            content = base64.b64decode(attrs["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError({"content_base64": _("Not valid base64.")}) from None
        return (attrs["file_name"], content)


class ComponentInputSerializer(serializers.Serializer):
    catalog_component_id = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    originals = serializers.IntegerField(min_value=0, max_value=100, default=0)
    certified_copies = serializers.IntegerField(min_value=0, max_value=100, default=0)
    photocopies = serializers.IntegerField(min_value=0, max_value=100, default=0)
    reused = serializers.BooleanField(default=False)
    from_national_store = serializers.BooleanField(default=False)
    replaced_by_result_code = serializers.CharField(required=False, allow_blank=True, max_length=64)
    file = FileInputSerializer(required=False, allow_null=True)


class DossierCreateSerializer(serializers.Serializer):
    procedure_code = serializers.CharField(max_length=40)
    handling_agency_code = serializers.CharField(max_length=32)
    receiving_agency_code = serializers.CharField(max_length=32, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices)
    applicant_kind = serializers.ChoiceField(choices=ApplicantKind.choices)
    applicant_name = serializers.CharField(max_length=255)
    applicant_id_number = serializers.CharField(max_length=14, required=False, allow_blank=True)
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    applicant_email = serializers.EmailField(required=False, allow_blank=True)
    applicant_address = serializers.CharField(max_length=500, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    components = ComponentInputSerializer(many=True, required=False)
    population_data_refs = serializers.ListField(child=serializers.CharField(max_length=64), required=False,
                                                 max_length=10)
    received_at = serializers.DateTimeField(required=False, help_text=_("For back-entry; never in the future."))


class ActionInputSerializer(serializers.Serializer):
    """Parameters of an action; each action reads the ones it needs (docs/dossier-transitions.md)."""

    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    items = serializers.ListField(child=serializers.CharField(max_length=1000), required=False, max_length=100,
                                  help_text=_("request_supplement: everything to supplement."))
    assignee = serializers.CharField(required=False, allow_blank=True, max_length=150,
                                     help_text=_("forward, send_back, assign, transfer: username."))
    to_agency = serializers.CharField(required=False, max_length=32, help_text=_("transfer: agency identifier."))
    share_hours = serializers.DecimalField(required=False, max_digits=9, decimal_places=2, min_value=0)
    amount = serializers.IntegerField(required=False, min_value=1)
    method = serializers.ChoiceField(required=False, choices=PaymentMethod.choices)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    stops_clock = serializers.BooleanField(required=False, default=True)
    new_due_at = serializers.DateTimeField(required=False, help_text=_("apologize: the new appointment."))
    files = FileInputSerializer(many=True, required=False)
    results = serializers.ListField(child=serializers.DictField(), required=False, max_length=20,
                                    help_text=_("complete: [{name, result_code, number, catalog_result_id, "
                                                "file: {file_name, content_base64}}]"))
    at = serializers.DateTimeField(required=False, help_text=_("For back-entry; never in the future."))


class StepSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code")
    assignee = serializers.CharField(source="assignee.username", default=None)

    class Meta:
        model = DossierStep
        fields = ["order", "name", "agency_code", "role", "assignee", "started_at", "deadline_at", "finished_at",
                  "verdict"]


class HandOverSerializer(serializers.ModelSerializer):
    from_agency = serializers.CharField(source="from_agency.code")
    to_agency = serializers.CharField(source="to_agency.code")
    from_user = serializers.CharField(source="from_user.username", default=None)
    to_user = serializers.CharField(source="to_user.username", default=None)

    class Meta:
        model = HandOver
        fields = ["at", "from_agency", "from_user", "to_agency", "to_user", "step_deadline", "verdict", "note"]


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")
    agency_code = serializers.CharField(source="agency.code", default=None)

    class Meta:
        model = ProcessingEvent
        fields = ["seq", "action", "from_status", "to_status", "at", "actor", "actor_role", "agency_code", "reason",
                  "data"]


class DossierComponentSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="file.original_name", default=None)
    file_sha256 = serializers.CharField(source="file.sha256", default=None)
    data_store_document = serializers.IntegerField(
        source="data_store_use.document_id", default=None, allow_null=True,
        help_text=_("The applicant data store document this component reuses, if any."))

    class Meta:
        model = DossierComponent
        fields = ["order", "name", "originals", "certified_copies", "photocopies", "file_name", "file_sha256",
                  "digitized", "reused", "from_national_store", "replaced_by_result_code", "data_store_document"]


class DossierFeeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierFee
        fields = ["name", "kind", "amount"]


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["amount", "method", "reference", "paid_at"]


class DossierResultSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="file.original_name", default=None)
    file_sha256 = serializers.CharField(source="file.sha256", default=None)

    class Meta:
        model = ResultDocument
        fields = ["name", "result_code", "number", "is_electronic", "file_name", "file_sha256", "issued_at",
                  "pushed_to_data_store"]


class SupplementSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplementRequest
        fields = ["number", "items", "reason", "requested_at", "supplied_at", "previous_due_at", "new_due_at"]


class ExtensionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Extension
        fields = ["previous_due_at", "new_due_at", "reason", "created_at"]


class DossierListSerializer(serializers.ModelSerializer):
    procedure_code = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure_version.name")
    receiving_agency = serializers.CharField(source="receiving_agency.code")
    handling_agency = serializers.CharField(source="handling_agency.code")
    current_agency = serializers.CharField(source="current_agency.code")
    status_label = serializers.CharField(source="get_status_display")
    holder = serializers.CharField(source="holder.username", default=None)
    applicant_id_number = serializers.SerializerMethodField(
        help_text=_("Citizen ID or tax code; masked (last 3 digits) unless the viewer may see it in full."))
    applicant_phone = serializers.SerializerMethodField(
        help_text=_("Masked (last 3 digits) unless the viewer may see it in full."))

    class Meta:
        model = Dossier
        fields = ["code", "version", "status", "status_label", "channel", "procedure_code", "procedure_name",
                  "receiving_agency", "handling_agency", "current_agency", "applicant_kind", "applicant_name",
                  "applicant_id_number", "applicant_phone", "submitted_at", "received_at", "due_at",
                  "current_due_at", "extended_due_at", "finished_at", "returned_at", "timeliness", "holder",
                  "step_due_at"]

    # Lists always mask personal numbers (Decree 13/2023, docs/personal-data.md); the detail view passes
    # `unmask=True` in the context for the viewers entitled to see them in full.
    def get_applicant_id_number(self, dossier) -> str:
        if self.context.get("unmask"):
            return dossier.applicant_id_number
        return mask_id_number(dossier.applicant_id_number)

    def get_applicant_phone(self, dossier) -> str:
        if self.context.get("unmask"):
            return dossier.applicant_phone
        return mask_phone(dossier.applicant_phone)


class DossierDetailSerializer(DossierListSerializer):
    steps = StepSerializer(many=True, read_only=True)
    control_sheet = HandOverSerializer(source="handovers", many=True, read_only=True)
    log = EventSerializer(source="events", many=True, read_only=True)
    components = DossierComponentSerializer(many=True, read_only=True)
    fees = DossierFeeSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    results = DossierResultSerializer(many=True, read_only=True)
    supplement_requests = SupplementSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    personal_numbers_masked = serializers.SerializerMethodField()

    class Meta(DossierListSerializer.Meta):
        fields = DossierListSerializer.Meta.fields + [
            "personal_numbers_masked", "applicant_email", "applicant_address", "summary", "duration",
            "duration_unit", "cutoff", "effective_start", "resolved_at", "refused_at", "waiting_seconds",
            "supplement_count", "extension_count", "fee_due", "fee_paid", "payment_method", "eid_verified",
            "population_data_refs", "has_digitized_components", "sync_state", "steps", "control_sheet", "log",
            "components", "fees", "payments", "results", "supplement_requests", "extensions", "allowed_actions",
        ]

    def get_allowed_actions(self, dossier) -> list[str]:
        return allowed_actions(dossier.status)

    def get_personal_numbers_masked(self, dossier) -> bool:
        """Whether applicant_id_number and applicant_phone are masked for this viewer (`?reveal=1&reason=…`)."""
        return not self.context.get("unmask")


STATUS_CHOICES = Status.choices
User = get_user_model()
