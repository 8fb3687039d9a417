"""Realistic volume for the catalogue: institutions across the delta and service items
named from the category taxonomy (``manage.py generate_catalog``, bench/search.py, tests).
Bulk inserts, then one set-based re-index of the search columns."""

import random
from decimal import Decimal

from django.db import connection, transaction
from stdnum.cn import uscc as uscc_check

from catalog.models import Institution, ServiceCategory, ServiceItem
from catalog.services import reindex_items
from catalog.taxonomy import seed_categories

CITY_DIVISIONS = {
    # city-level or district-level codes in the delta, with a short place name
    "310115": "上海",
    "310104": "上海",
    "310118": "上海青浦",
    "310112": "上海闵行",
    "320509": "苏州吴江",
    "320507": "苏州相城",
    "320505": "苏州",
    "320102": "南京",
    "320213": "无锡",
    "330106": "杭州",
    "330421": "嘉善",
    "330402": "嘉兴",
    "330203": "宁波",
    "340104": "合肥",
    "340503": "马鞍山",
    "340202": "芜湖",
}
BRANDS = "恒通 华测 中科 博远 启明 联创 精诚 瑞德 新锐 天衡 正信 众合 科信 同创 卓越 信达 汇智 长青 远航 睿知".split()
KINDS = [
    "检测有限公司",
    "检验认证有限公司",
    "科技服务有限公司",
    "知识产权代理有限公司",
    "资产评估有限公司",
    "技术转移中心",
    "工业技术研究院",
    "计量测试研究所",
    "科技咨询有限公司",
    "大学科技园",
]
ITEM_PATTERNS = ["{c}", "{c}服务", "{s}{c}", "{c}（{s}）", "{brand}{c}", "{c}与报告出具", "专业{c}"]
DESC_PHRASES = [
    "依据国家标准和行业标准开展{c}，出具具有 CMA/CNAS 资质的检测报告。",
    "面向长三角中小企业提供{s}领域的{c}，服务周期短、响应快。",
    "拥有{brand}实验室和专业技术团队，可为企业研发、生产全过程提供{c}支持。",
    "服务内容包括方案设计、样品分析、数据处理与结果解读，符合 ISO/IEC 17025 要求。",
    "可提供上门服务与远程技术咨询，支持创新券通用通兑。",
    "主要设备包括高精度分析仪器，型号 {model}，测量精度达到国际先进水平。",
    "服务对象：汽车电子、集成电路、生物医药、新材料等行业企业。",
]
UNITS = ["次", "项", "个", "批", "小时", "天", "件"]
CYCLES = ["3个工作日", "5个工作日", "7个工作日", "10个工作日", "15个工作日", "1个月", "面议"]


def _uscc(region_code: str, n: int) -> str:
    body = f"91{region_code}{n:09d}"[:17]
    return body + uscc_check.calc_check_digit(body)


@transaction.atomic
def generate(items: int, institutions: int, *, seed: int = 20261127, on_shelf_ratio: float = 0.95) -> dict:
    """Create ``institutions`` institutions and ``items`` service items; returns counts."""
    from enterprises.models import Division, PilotRegion

    rnd = random.Random(seed)
    seed_categories(ServiceCategory)
    thirds = list(ServiceCategory.objects.filter(level=3).select_related("parent"))
    regions = list(PilotRegion.objects.all())
    known = set(Division.objects.filter(code__in=CITY_DIVISIONS).values_list("code", flat=True))
    places = [(code, name) for code, name in CITY_DIVISIONS.items() if code in known]
    if not places or not thirds:
        raise RuntimeError("行政区划或服务类别数据缺失，请先执行 migrate。")

    start = Institution.objects.count() + 1
    orgs = []
    for n in range(start, start + institutions):
        code, place = rnd.choice(places)
        orgs.append(
            Institution(
                name=f"{place}{rnd.choice(BRANDS)}{rnd.choice(KINDS)}",
                uscc=_uscc(code, n),
                region_id=code,
                address=f"{place}科技园{rnd.randint(1, 300)}号",
                introduction="长三角科技资源共享服务平台入驻服务机构，提供专业科技服务。",
                contact_person="王经理",
                contact_phone=f"0512-{rnd.randint(60000000, 69999999)}",
            )
        )
    orgs = Institution.objects.bulk_create(orgs, batch_size=2000)
    org_refs = [(o.pk, o.name) for o in orgs] or list(Institution.objects.values_list("pk", "name"))

    first_id = None
    batch: list[ServiceItem] = []
    tag_rows = []
    through = ServiceItem.region_tags.through
    for i in range(items):
        cat = rnd.choice(thirds)
        org_id, org_name = rnd.choice(org_refs)
        words = {"c": cat.name, "s": cat.parent.name, "brand": rnd.choice(BRANDS), "model": f"X{rnd.randint(100, 999)}"}
        name = rnd.choice(ITEM_PATTERNS).format(**words)
        description = "".join(rnd.sample(DESC_PHRASES, 3)).format(**words)
        fixed = rnd.random() < 0.7
        price = Decimal(rnd.randint(20, 5000) * 10) if fixed else None
        batch.append(
            ServiceItem(
                name=name,
                institution_id=org_id,
                category=cat,
                price_type=ServiceItem.PriceType.FIXED if fixed else ServiceItem.PriceType.NEGOTIABLE,
                price=price,
                unit=rnd.choice(UNITS),
                description=description,
                service_cycle=rnd.choice(CYCLES),
                is_on_shelf=rnd.random() < on_shelf_ratio,
            )
        )
        if len(batch) == 5000 or i == items - 1:
            created = ServiceItem.objects.bulk_create(batch)
            if first_id is None and created:
                first_id = created[0].pk
            for item in created:
                for region in rnd.sample(regions, rnd.randint(1, len(regions))):
                    tag_rows.append(through(serviceitem_id=item.pk, pilotregion_id=region.pk))
            through.objects.bulk_create(tag_rows, batch_size=10000)
            tag_rows = []
            batch = []
    if first_id is not None:
        table = ServiceItem._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                # Spread creation over the past two years, in id order (as real inserts are).
                f"UPDATE {table} SET created_at = now() - (%s - id) * (interval '730 days' / %s) WHERE id >= %s",
                [first_id + items, max(items, 1), first_id],
            )
        reindex_items(min_id=first_id, batch_size=5000)
        with connection.cursor() as cursor:
            # Merge the GIN index's pending list now rather than at the first searches.
            cursor.execute("SELECT gin_clean_pending_list('item_search_gin'::regclass)")
    return {"institutions": len(orgs), "items": items}
