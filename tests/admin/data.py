"""A small, fully known data set for the work queue and statistics tests (built with the
ORM directly: these tests check reading and aggregation, the services have their own)."""

import datetime
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from catalog.models import ServiceCategory
from enterprises.models import Division
from tests.factories import EnterpriseFactory, UserFactory, institution_factory, make_programme, make_voucher, region

D = Decimal


def aware(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def has_model(label: str) -> bool:
    try:
        apps.get_model(label)
        return True
    except LookupError:
        return False


def build(year: int | None = None) -> dict:
    from orders.models import Order
    from vouchers.models import VoucherApplication
    from vouchers.services import voucher_consume, voucher_hold

    year = year or timezone.localdate().year
    wji_prog = make_programme("WJI", budget="1000000.00")
    jsn_prog = make_programme("JSN", budget="500000.00")
    e1 = EnterpriseFactory(name="吴江甲公司")
    e2 = EnterpriseFactory(name="吴江乙公司")
    e3 = EnterpriseFactory(name="嘉善丙公司", division=Division.objects.get(code="330421"), region=region("JSN"))
    v1 = make_voucher(e1, "10000.00", programme=wji_prog)
    v2 = make_voucher(e2, "5000.00", programme=wji_prog)
    v3 = make_voucher(e3, "4000.00", programme=jsn_prog)
    voucher_hold(v1.pk, D("3000.00"), cause_type="order", cause_id=999, key="stat-h")
    voucher_consume(v1.pk, D("2000.00"), cause_type="order", cause_id=999, key="stat-c")
    applicant = UserFactory(username="stat_applicant")
    VoucherApplication.objects.create(
        enterprise=e1,
        programme=wji_prog,
        policy=region("WJI").current_policy,
        requested_amount=D("8000.00"),
        intended_services="检测",
        expected_results="成效",
        declaration=True,
        applicant=applicant,
    )
    VoucherApplication.objects.create(
        enterprise=e3,
        programme=jsn_prog,
        policy=region("JSN").current_policy,
        requested_amount=D("7000.00"),
        intended_services="检测",
        expected_results="成效",
        declaration=True,
        applicant=applicant,
        status="approved",
    )

    shanghai = institution_factory(name="上海青浦检测所", region_code="310118")
    jiangsu = institution_factory(name="吴江本地检测所", region_code="320509")
    cat_a, cat_b = list(ServiceCategory.objects.filter(level=3).order_by("pk")[:2])

    n = iter(range(1, 100))

    def order(enterprise, inst, mode, amount, share, status, created, accepted_days=None, voucher=None, cat=None):
        o = Order.objects.create(
            number=f"CSJ-STAT-{next(n):06d}",
            enterprise=enterprise,
            institution=inst,
            category=cat,
            item_name="检测服务",
            institution_name=inst.name,
            mode=mode,
            voucher=voucher,
            # As orders.services.place_order does: a voucher order keeps the policy version.
            policy=enterprise.region.current_policy if voucher else None,
            amount=D(amount) if amount is not None else None,
            voucher_share=D(share),
            status=status,
        )
        accepted = created + datetime.timedelta(days=accepted_days) if accepted_days is not None else None
        Order.objects.filter(pk=o.pk).update(created_at=created, accepted_at=accepted)
        return o

    orders = {
        "o1": order(e1, shanghai, "tongdui", "6000.00", "3000.00", "completed", aware(year, 6, 1), 2, v1, cat_a),
        "o2": order(e2, jiangsu, "tongdui", "2000.00", "1000.00", "in_service", aware(year, 6, 2), 4, v2, cat_a),
        "o3": order(e1, shanghai, "tongdui", "1000.00", "0", "cancelled", aware(year, 6, 3), None, v1, cat_a),
        "o4": order(e3, shanghai, "tongyong", "3000.00", "1000.00", "completed", aware(year, 6, 4), 1, v3, cat_b),
        "o5": order(e1, jiangsu, "wuquan", "500.00", "0", "completed", aware(year, 6, 5), None, None, cat_b),
        "o6": order(e1, shanghai, "tongdui", "9999.00", "0", "completed", aware(year - 1, 6, 1), 7, v1, cat_a),
        "q1": order(e1, jiangsu, "tongdui", "800.00", "0", "pending_quota", aware(year, 7, 1), 1, v1, cat_a),
    }
    data = {"year": year, "e1": e1, "e3": e3, "v1": v1, "v3": v3, "orders": orders, "redemption": {}}

    if has_model("redemption.RedemptionApplication"):
        from redemption.models import Disbursement, RedemptionApplication

        today = timezone.localdate()

        def app(enterprise, voucher, redeem, status, approved=None, submitted=None, notice_end=None):
            return RedemptionApplication.objects.create(
                kind="general",
                enterprise=enterprise,
                voucher=voucher,
                policy=enterprise.region.current_policy,
                service_total=D(redeem) * 2,
                redeem_amount=D(redeem),
                approved_amount=D(approved) if approved else None,
                status=status,
                submitted_at=submitted,
                notice_end=notice_end,
            )

        r1 = app(e1, v1, "3000.00", "paid", "2500.00", aware(year, 3, 1))
        Disbursement.objects.create(
            application=r1, paid_on=datetime.date(year, 3, 11), amount=D("2500.00"), bank_reference="BANK-1"
        )
        data["redemption"] = {
            "r1": r1,
            "r2": app(e1, v1, "1000.00", "region_review", submitted=aware(year, 4, 1)),
            "r3": app(e1, v1, "700.00", "draft"),
            "r4": app(e1, v1, "600.00", "expert_review", submitted=aware(year, 4, 2)),
            "r5": app(e1, v1, "500.00", "notice", "500.00", aware(year, 4, 3), today + datetime.timedelta(days=2)),
            "r6": app(e1, v1, "400.00", "notice", "400.00", aware(year, 4, 4), today + datetime.timedelta(days=10)),
            "r7": app(e1, v1, "300.00", "pending_payment", "300.00", aware(year, 4, 5)),
            "j1": app(e3, v3, "900.00", "region_review", submitted=aware(year, 4, 6)),
        }
    return data
