from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from congso.privacy.choices import AccessAction, AccessChannel, AccessTarget, DisclosureBasis
from congso.privacy.models import AccessLog


# A named enum component: "channel" already names the dossier channel enum.
@extend_schema_field({"type": "string", "enum": AccessChannel.values}, component_name="AccessChannelEnum")
class AccessChannelField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=AccessChannel.choices, **kwargs)


class AccessLogSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", help_text=_("Who accessed (name at the time)."))
    actor_agency = serializers.CharField(source="actor_agency.code", default=None, allow_null=True)
    action = serializers.ChoiceField(choices=AccessAction.choices)
    target = serializers.ChoiceField(choices=AccessTarget.choices)
    channel = AccessChannelField()
    basis = serializers.ChoiceField(choices=DisclosureBasis.choices, allow_blank=True)
    dossier = serializers.CharField(source="dossier_code", allow_blank=True)
    ip = serializers.SerializerMethodField(help_text=_("Shown to staff and administrators only."))

    class Meta:
        model = AccessLog
        fields = ["id", "at", "actor", "actor_role", "actor_agency", "action", "target", "dossier", "document",
                  "export_name", "purpose", "unmasked", "basis", "channel", "request_id", "ip"]

    def get_ip(self, row) -> str | None:
        return row.ip if self.context.get("show_ip") else None
