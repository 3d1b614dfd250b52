from django.contrib.auth import get_user_model
from rest_framework import serializers

from congso.org.models import AdminUnit, Agency, Department, Membership


class AdminUnitSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)

    class Meta:
        model = AdminUnit
        fields = ["code", "name", "level", "unit_type", "parent_code", "valid_from", "valid_to"]


class AdminUnitOnDateSerializer(serializers.Serializer):
    """A unit as it was on the requested date (its name, type and parent that day)."""

    code = serializers.CharField(source="unit.code")
    name = serializers.CharField()
    level = serializers.CharField(source="unit.level")
    unit_type = serializers.CharField()
    parent_code = serializers.CharField(source="parent.code", default=None)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name", "is_one_stop_desk", "is_active"]


class AgencySerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", default=None, read_only=True)
    unit_code = serializers.CharField(source="admin_unit.code", read_only=True)
    departments = DepartmentSerializer(many=True, read_only=True)
    served_unit_codes = serializers.SlugRelatedField(source="served_units", slug_field="code", many=True, read_only=True)

    class Meta:
        model = Agency
        fields = [
            "code", "name", "short_name", "kind", "level", "parent_code", "unit_code", "served_unit_codes",
            "departments", "email", "phone", "address", "valid_from", "valid_to",
        ]


class MembershipSerializer(serializers.ModelSerializer):
    agency_code = serializers.CharField(source="agency.code", read_only=True)
    department_code = serializers.CharField(source="department.code", default=None, read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "agency_code", "department_code", "role", "title", "valid_from", "valid_to"]


class StaffSerializer(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["username", "full_name", "email", "account_type", "is_active", "memberships"]

    def get_memberships(self, user) -> list[dict]:
        visible = self.context.get("visible_agency_ids")
        return [
            {"agency_code": m.agency.code, "role": m.role, "department_code": m.department.code if m.department else None}
            for m in user.memberships.all()
            if visible is None or m.agency_id in visible
        ]


class CrosswalkSerializer(serializers.Serializer):
    code = serializers.CharField()
    on = serializers.DateField()
    successors = AdminUnitSerializer(many=True)
