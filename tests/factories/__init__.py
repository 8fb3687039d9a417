"""factory_boy factories shared by the tests of every app."""

import itertools

import factory
from stdnum.cn import ric, uscc

from accounts.models import User
from accounts.roles import put_user_in_role_group
from enterprises.models import Division, Enterprise, EnterpriseMember, PilotRegion, RegionAdministrator

_seq = itertools.count(1)


def valid_uscc(n: int | None = None) -> str:
    """A 统一社会信用代码 with a correct GB 32100 check digit (enterprise, 91…)."""
    n = next(_seq) if n is None else n
    body = f"913205{n:011d}"[:17]
    return body + uscc.calc_check_digit(body)


def valid_id_number(n: int = 1, birth: str = "19840113") -> str:
    """A resident ID with a correct GB 11643 check digit (fixed area code, see LIBRARY_NOTES)."""
    body = f"320509{birth}{n % 1000:03d}"
    return body + ric.calc_check_digit(body)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    real_name = factory.Sequence(lambda n: f"用户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    role = User.Role.ENTERPRISE
    password = factory.django.Password("Passw0rd!2026")


def region(code: str) -> PilotRegion:
    return PilotRegion.objects.get(code=code)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    uscc = factory.LazyFunction(valid_uscc)
    name = factory.Sequence(lambda n: f"测试科技有限公司{n}")
    division = factory.LazyFunction(lambda: Division.objects.get(code="320509"))
    region = factory.LazyFunction(lambda: region("WJI"))


def enterprise_user(username: str, enterprise: Enterprise | None = None, *, is_admin: bool = True) -> User:
    user = UserFactory(username=username)
    EnterpriseMember.objects.create(user=user, enterprise=enterprise or EnterpriseFactory(), is_admin=is_admin)
    return user


def region_admin(username: str, region_code: str) -> User:
    user = UserFactory(username=username, role=User.Role.REGION_ADMIN, is_staff=True)
    RegionAdministrator.objects.create(user=user, region=region(region_code))
    put_user_in_role_group(user)
    return user
