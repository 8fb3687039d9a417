"""Two applications submitted at once against one voucher never hold more than it has
(PostgreSQL, threads with their own connections); the ledger check passes afterwards."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from enterprises.selectors import enterprise_for_user
from redemption import services
from redemption.exceptions import RedemptionError
from redemption.models import Kind, Status
from tests.redemption.conftest import add_invoice, draft
from vouchers.models import Voucher
from vouchers.selectors import ledger_differences

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_db")]


def test_two_submissions_never_overdraw(mas_buyer, quick_parts):
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="4000.00")
    applications = []
    for _ in range(2):
        application = draft(mas_buyer, voucher, kind=Kind.QUICK, **quick_parts)
        add_invoice(application, mas_buyer, "6000.00")  # each wants 3000
        applications.append(application)

    barrier = threading.Barrier(2)
    errors: list[Exception] = []

    def submit(pk):
        try:
            barrier.wait(timeout=10)
            services.submit_application(pk, actor=mas_buyer)
        except RedemptionError as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(a.pk,)) for a in applications]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    voucher.refresh_from_db()
    assert voucher.remaining_amount == Decimal("0.00")
    assert voucher.held_amount == Decimal("4000.00")  # 3000 + the 1000 left, never more
    redeemed = sorted(a.redeem_amount for a in type(applications[0]).objects.filter(status=Status.EXPERT_REVIEW))
    assert redeemed == [Decimal("1000.00"), Decimal("3000.00")]
    assert errors == []
    assert Voucher.objects.get(pk=voucher.pk).remaining_amount >= 0
    assert ledger_differences() == []


def test_third_submission_on_empty_voucher_is_refused(mas_buyer, quick_parts):
    from tests.factories import make_voucher

    voucher = make_voucher(enterprise_for_user(mas_buyer), amount="1000.00")
    first = draft(mas_buyer, voucher, kind=Kind.QUICK, **quick_parts)
    add_invoice(first, mas_buyer, "6000.00")
    services.submit_application(first.pk, actor=mas_buyer)
    second = draft(mas_buyer, voucher, kind=Kind.QUICK, **quick_parts)
    add_invoice(second, mas_buyer, "2000.00")
    with pytest.raises(RedemptionError, match="剩余金额为0"):
        services.submit_application(second.pk, actor=mas_buyer)
    assert ledger_differences() == []
