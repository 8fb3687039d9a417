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


# --- catalogue (issue 4) ----------------------------------------------------------------


def categories():
    """The seeded category taxonomy (restored if a transactional test flushed it)."""
    from catalog.models import ServiceCategory
    from catalog.taxonomy import seed_categories

    if not ServiceCategory.objects.filter(level=3).exists():
        seed_categories(ServiceCategory)
    return ServiceCategory.objects.all()


def third_level_category(name: str = "EMC 测试"):
    from catalog.models import ServiceCategory

    categories()
    return ServiceCategory.objects.get(level=3, name=name)


def institution_factory(name: str | None = None, region_code: str = "320509", **fields):
    """A service institution (服务机构) created through catalog.services."""
    from catalog import services
    from catalog.models import Institution

    if name is not None:
        existing = Institution.objects.filter(name=name).first()
        if existing is not None:
            return existing
    n = next(_seq)
    categories()
    return services.create_institution(
        name=name or f"测试检测服务机构{n}",
        uscc=valid_uscc(900000 + n),
        region=Division.objects.get(code=region_code),
        contact_person=fields.pop("contact_person", "张工"),
        contact_phone=fields.pop("contact_phone", "0512-63000000"),
        **fields,
    )


def service_item(institution=None, name: str = "汽车电子EMC测试服务", *, price="1000.00", regions=("WJI",), **fields):
    """A service item on shelf (一口价 unless price is None), indexed for search."""
    from decimal import Decimal

    from catalog import services
    from catalog.models import ServiceItem

    institution = institution or institution_factory()
    fields.setdefault("category", third_level_category())
    fields.setdefault("description", "依据国家标准开展检测，出具检测报告。")
    return services.create_item(
        institution,
        name=name,
        price_type=ServiceItem.PriceType.FIXED if price is not None else ServiceItem.PriceType.NEGOTIABLE,
        price=Decimal(price) if price is not None else None,
        region_tags=[region(code) for code in regions],
        **fields,
    )


def instrument(institution=None, name: str = "扫描电子显微镜", **fields):
    from decimal import Decimal

    from catalog import services

    institution = institution or institution_factory()
    fields.setdefault("booking_price", Decimal("300.00"))
    fields.setdefault("model_number", "SU8010")
    fields.setdefault("manufacturer", "日立")
    return services.create_instrument(institution, name=name, **fields)
