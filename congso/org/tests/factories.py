import factory

from congso.accounts.models import AccountType, User
from congso.org.choices import AgencyKind, Role, UnitLevel, UnitType
from congso.org.models import AdminUnit, Agency, Department, Membership


class AdminUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdminUnit

    code = factory.Sequence(lambda n: f"{50000 + n:05d}")
    name = factory.Sequence(lambda n: f"Xã Thử {n}")
    level = UnitLevel.COMMUNE
    unit_type = UnitType.COMMUNE


class ProvinceFactory(AdminUnitFactory):
    code = factory.Sequence(lambda n: f"{70 + n % 29:02d}")
    name = factory.Sequence(lambda n: f"Tỉnh Thử {n}")
    level = UnitLevel.PROVINCE
    unit_type = UnitType.PROVINCE


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    code = factory.Sequence(lambda n: f"000.00.{n % 100:02d}.H{70 + n // 100:02d}")
    name = factory.Sequence(lambda n: f"Sở Thử nghiệm {n}")
    kind = AgencyKind.DEPARTMENT
    level = UnitLevel.PROVINCE
    admin_unit = factory.SubFactory(ProvinceFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    agency = factory.SubFactory(AgencyFactory)
    code = factory.Sequence(lambda n: f"P{n}")
    name = factory.Sequence(lambda n: f"Phòng {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"Người Dùng {n}")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    account_type = AccountType.STAFF
    password = factory.django.Password("s3cret-Passw0rd")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    role = Role.SPECIALIST
