from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congso.datastore.models import ApplicantDocument, DocumentKind, DocumentUse
from congso.dossiers.api.serializers import DossierComponentSerializer
from congso.privacy.masking import mask_id_number


# A named enum component: "kind" already names other choice sets.
@extend_schema_field({"type": "string", "enum": DocumentKind.values}, component_name="DocumentKindEnum")
class DocumentKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=DocumentKind.choices, **kwargs)


class DocumentUseSerializer(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code")

    class Meta:
        model = DocumentUse
        fields = ["dossier", "used_at"]


class ApplicantDocumentSerializer(serializers.ModelSerializer):
    kind = DocumentKindField()
    owner_id_number = serializers.SerializerMethodField(help_text=_("Masked: only the last 3 digits."))
    expired = serializers.SerializerMethodField()
    file_name = serializers.CharField(source="original_name")
    source_dossier = serializers.CharField(source="source_dossier.code", default=None, allow_null=True)

    class Meta:
        model = ApplicantDocument
        fields = ["id", "kind", "document_type", "result_code", "title", "number", "issuer", "issued_on",
                  "valid_until", "expired", "file_name", "content_type", "size", "sha256", "source_dossier",
                  "owner_id_number", "created_at"]

    def get_owner_id_number(self, document) -> str:
        return mask_id_number(document.owner_id_number)

    def get_expired(self, document) -> bool:
        return document.is_expired(timezone.localdate())


class ApplicantDocumentDetailSerializer(ApplicantDocumentSerializer):
    uses = serializers.SerializerMethodField(help_text=_("The dossiers the document was reused in (owner only)."))

    class Meta(ApplicantDocumentSerializer.Meta):
        fields = ApplicantDocumentSerializer.Meta.fields + ["uses"]

    @extend_schema_field(DocumentUseSerializer(many=True))
    def get_uses(self, document):
        if not self.context.get("show_uses"):
            return []
        uses = document.uses.select_related("dossier").order_by("used_at", "id")
        return DocumentUseSerializer(uses, many=True).data


class ReuseInputSerializer(serializers.Serializer):
    document = serializers.IntegerField(min_value=1, help_text=_("The id of the document in the data store."))
    catalog_component_id = serializers.IntegerField(
        required=False, allow_null=True,
        help_text=_("One of the procedure's components; an empty component of that kind is filled."))
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000,
                                 help_text=_("A free component name (default: the document's title)."))


class ReuseResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text=_("False when the document was already reused in this dossier."))
    document = serializers.IntegerField()
    dossier = serializers.CharField()
    version = serializers.IntegerField(help_text=_("The dossier's new version (its ETag)."))
    component = DossierComponentSerializer()
