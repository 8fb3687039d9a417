"""Reference data every environment needs: the administrative divisions and the five
pilot regions with the demo-default policies of DESIGN §5 (editable in admin afterwards).

Used by the data migration (with historical models) and by transactional tests, which
flush the database after each test."""

import datetime
from decimal import Decimal

from enterprises.divisions import read_divisions

REGIONS = [
    # division, name, code, sort, mode, quick, source, external login provider / label
    ("320509", "吴江区", "WJI", 1, "tongdui", False, "local", "", ""),
    ("330421", "嘉善县", "JSN", 2, "tongdui", False, "local", "zjkjdn", "浙江科技大脑用户登录"),
    ("310118", "青浦区", "QPU", 3, "tongyong", False, "imported", "shkjq", "上海科技券平台用户登录"),
    ("340500", "马鞍山市", "MAS", 4, "tongyong", True, "local", "", ""),
    ("320507", "相城区", "XCH", 5, "tongyong", True, "local", "", ""),
]


def load_reference_data(apps) -> None:
    Division = apps.get_model("enterprises", "Division")
    if Division.objects.exists() and apps.get_model("enterprises", "PilotRegion").objects.exists():
        return
    rows = read_divisions()
    rows.sort(key=lambda r: (r.level, r.code))  # parents first
    Division.objects.bulk_create(
        [Division(code=r.code, name=r.name, level=r.level, parent_id=r.parent_code) for r in rows],
        ignore_conflicts=True,
        batch_size=1000,
    )

    PilotRegion = apps.get_model("enterprises", "PilotRegion")
    RegionPolicy = apps.get_model("enterprises", "RegionPolicy")
    for division, name, code, sort, mode, quick, source, provider, label in REGIONS:
        region, _ = PilotRegion.objects.get_or_create(
            code=code, defaults={"division_id": division, "name": name, "sort_order": sort}
        )
        RegionPolicy.objects.get_or_create(
            region=region,
            effective_from=datetime.date(2021, 1, 1),
            defaults={
                "mode": mode,
                "quick_redemption": quick,
                "subsidy_ratio": Decimal("0.5"),
                "annual_cap": Decimal("500000.00"),
                "voucher_validity_days": 365,
                "notice_days": 5,
                "voucher_source": source,
                "external_login_provider": provider,
                "external_login_label": label,
            },
        )
