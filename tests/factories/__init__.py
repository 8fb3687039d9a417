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


# --- vouchers (appended by the vouchers work) ------------------------------------------
def make_programme(region_code: str = "WJI", *, year: int | None = None, budget="10000000.00", max_amount="500000.00"):
    """An open voucher programme of a pilot region for ``year`` (this year by default)."""
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from vouchers.models import VoucherProgramme

    today = timezone.localdate()
    year = year or today.year
    pilot = region(region_code)
    return VoucherProgramme.objects.create(
        region=pilot,
        year=year,
        title=f"{year}年度{pilot.name}科技创新券",
        kind=pilot.current_policy.mode,
        max_amount=Decimal(max_amount),
        apply_start=datetime.date(year, 1, 1),
        apply_end=datetime.date(year, 12, 31),
        total_budget=Decimal(budget),
    )


def make_voucher(enterprise: Enterprise | None = None, amount="500000.00", *, programme=None, valid_days: int = 365):
    """An issued voucher (through the ledger service) of ``enterprise``'s region."""
    import datetime
    import uuid

    from django.utils import timezone

    from vouchers.services import issue_voucher

    enterprise = enterprise or EnterpriseFactory()
    programme = programme or make_programme(enterprise.region.code)
    return issue_voucher(
        programme_id=programme.pk,
        enterprise=enterprise,
        amount=amount,
        cause_type="import",
        cause_id=0,
        key=f"test-issue:{uuid.uuid4().hex}",
        valid_until=timezone.localdate() + datetime.timedelta(days=valid_days),
    )
