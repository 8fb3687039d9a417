import pytest

from enterprises.models import Division, PilotRegion
from enterprises.selectors import region_for_division

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "name"),
    [("310118", "青浦区"), ("320509", "吴江区"), ("320507", "相城区"), ("330421", "嘉善县"), ("340500", "马鞍山市")],
)
def test_pilot_divisions_exist(code, name):
    assert Division.objects.get(code=code).name == name


@pytest.mark.parametrize(
    ("province", "cities", "counties"),
    [("310000", 1, 16), ("320000", 13, 95), ("330000", 11, 90), ("340000", 16, 104)],
)
def test_division_counts_match_official_totals(province, cities, counties):
    assert Division.objects.filter(parent_id=province, level=2).count() == cities
    assert Division.objects.filter(level=3, parent__parent_id=province).count() == counties


def test_only_current_divisions():
    # 崇文区 (110103) was merged in 2010; 下城区 (330103) in 2021.
    assert not Division.objects.filter(code__in=["110103", "330103"]).exists()
    assert Division.objects.get(code="320800").name == "淮安市"


def test_full_name_and_region_lookup():
    district = Division.objects.get(code="340503")  # 花山区, 马鞍山市
    assert district.full_name == "安徽省马鞍山市花山区"
    assert region_for_division(district).code == "MAS"
    assert region_for_division(Division.objects.get(code="320509")).code == "WJI"
    assert region_for_division(Division.objects.get(code="320508")) is None  # 姑苏区: not a pilot


def test_five_pilot_regions_with_demo_policies():
    regions = {r.code: r for r in PilotRegion.objects.all()}
    assert set(regions) == {"WJI", "JSN", "QPU", "MAS", "XCH"}
    assert regions["WJI"].current_policy.mode == "tongdui"
    assert regions["QPU"].current_policy.voucher_source == "imported"
    assert regions["MAS"].current_policy.quick_redemption is True
    assert str(regions["JSN"].current_policy.subsidy_ratio) == "0.5000"
    assert regions["JSN"].current_policy.notice_days == 5


def test_policy_versions_are_effective_dated():
    import datetime

    from enterprises.models import RegionPolicy

    region = PilotRegion.objects.get(code="WJI")
    RegionPolicy.objects.create(region=region, effective_from=datetime.date(2030, 1, 1), mode="tongyong")
    assert region.policy_on(datetime.date(2029, 12, 31)).mode == "tongdui"
    assert region.policy_on(datetime.date(2030, 1, 1)).mode == "tongyong"
