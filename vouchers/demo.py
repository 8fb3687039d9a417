"""Demo data of the vouchers layer (idempotent): a programme per pilot region for the
current year and an issued voucher for the demo enterprises of 吴江区 (通兑券), 马鞍山市 and
相城区 (通用券), and 青浦区 (imported 通用券)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from enterprises.models import EnterpriseMember, PilotRegion
from vouchers.models import Voucher, VoucherProgramme
from vouchers.services import issue_voucher

DEMO_VOUCHERS = [
    # username, amount, imported
    ("demo_wujiang", Decimal("200000.00"), False),
    ("demo_maanshan", Decimal("100000.00"), False),
    ("demo_xiangcheng", Decimal("100000.00"), False),
    ("demo_qingpu", Decimal("150000.00"), True),
]


def load(out) -> list[tuple[str, str, str]]:
    today = timezone.localdate()
    year = today.year
    programmes = {}
    for region in PilotRegion.objects.filter(is_active=True):
        policy = region.current_policy
        if policy is None:
            continue
        programme, _ = VoucherProgramme.objects.get_or_create(
            region=region,
            year=year,
            title=f"{year}年度{region.name}科技创新券",
            defaults={
                "kind": policy.mode,
                "max_amount": Decimal("500000.00"),
                "apply_start": datetime.date(year, 1, 1),
                "apply_end": datetime.date(year, 12, 31),
                "total_budget": Decimal("20000000.00"),
                "description": "面向本区域科技型中小企业，用于购买检测、知识产权、研发等专业服务。",
            },
        )
        programmes[region.pk] = programme
    for username, amount, imported in DEMO_VOUCHERS:
        member = EnterpriseMember.objects.select_related("enterprise").filter(user__username=username).first()
        if member is None or member.enterprise.region_id not in programmes:
            continue
        enterprise = member.enterprise
        issue_voucher(
            programme_id=programmes[enterprise.region_id].pk,
            enterprise=enterprise,
            amount=amount,
            cause_type="import",
            cause_id=0,
            key=f"demo-issue:{username}:{year}",
            valid_until=datetime.date(year, 12, 31),
            source=Voucher.Source.IMPORTED if imported else Voucher.Source.APPLICATION,
        )
    out.write(f"创新券：{len(programmes)} 个项目，{Voucher.objects.count()} 张创新券\n")
    return [("额度查询（企业）", "demo_wujiang", "/vouchers/quota/")]
