from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from congso.org.models import Membership


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    email = serializers.EmailField()
    account_type = serializers.CharField()
    is_eid_verified = serializers.BooleanField()
    memberships = serializers.ListField(child=serializers.DictField())


class MeView(APIView):
    """The caller's own account and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        memberships = Membership.objects.active().filter(user=user).select_related("agency", "department")
        data = {
            "username": user.username,
            "full_name": user.full_name,
            "email": user.email,
            "account_type": user.account_type,
            "is_eid_verified": user.is_eid_verified,
            "memberships": [
                {"agency_code": m.agency.code, "agency_name": m.agency.name, "role": m.role,
                 "department_code": m.department.code if m.department else None}
                for m in memberships
            ],
        }
        return Response(MeSerializer(data).data)
