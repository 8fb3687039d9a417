"""Row locks on the real PostgreSQL: threads on their own connections (DESIGN §11)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from tests.factories import make_voucher
from vouchers import exceptions as ex
from vouchers.models import LedgerEntry, Voucher
from vouchers.selectors import ledger_differences
from vouchers.services import voucher_hold

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("live_db")]


def run_threads(n, target):
    barrier = threading.Barrier(n)
    results, lock = [], threading.Lock()

    def worker(i):
        try:
            barrier.wait()
            outcome = target(i)
        except Exception as exc:  # collected and asserted on by the test
            outcome = exc
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_fifty_simultaneous_holds_leave_exactly_25_held():
    voucher = make_voucher(amount="500000.00")

    def hold(i):
        return voucher_hold(voucher.pk, Decimal("20000.00"), cause_type="order", cause_id=i + 1, key=f"order-{i}")

    results = run_threads(50, hold)
    ok = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, ex.InsufficientBalance)]
    assert len(ok) == 25 and len(refused) == 25, results
    voucher.refresh_from_db()
    assert voucher.held_amount == Decimal("500000.00")
    assert voucher.remaining_amount == Decimal("0.00")
    assert voucher.status == Voucher.Status.USED_UP
    assert ledger_differences() == []


def test_a_hold_replayed_concurrently_is_applied_once():
    voucher = make_voucher(amount="500000.00")

    def hold(i):
        return voucher_hold(voucher.pk, Decimal("20000.00"), cause_type="order", cause_id=1, key="same-key")

    results = run_threads(10, hold)
    assert all(isinstance(r, LedgerEntry) for r in results), results
    assert len({r.pk for r in results}) == 1
    voucher.refresh_from_db()
    assert voucher.held_amount == Decimal("20000.00")
    assert LedgerEntry.objects.filter(kind="hold").count() == 1
    assert ledger_differences() == []


def test_two_admins_approving_at_once_issue_one_voucher():
    from enterprises.selectors import enterprise_for_user
    from tests.factories import enterprise_user, make_programme, region_admin
    from tests.vouchers.conftest import complete_basic_info
    from vouchers.models import VoucherApplication
    from vouchers.services import approve_application, submit_application

    buyer = enterprise_user("race_buyer")
    enterprise = complete_basic_info(enterprise_for_user(buyer))
    admins = [region_admin("race_admin_1", "WJI"), region_admin("race_admin_2", "WJI")]
    application = submit_application(
        enterprise=enterprise,
        programme_id=make_programme("WJI").pk,
        requested_amount=Decimal("100000.00"),
        intended_services="检测",
        expected_results="成效",
        declaration=True,
        actor=buyer,
    )

    def approve(i):
        return approve_application(application.pk, granted_amount=Decimal("100000.00"), actor=admins[i])

    results = run_threads(2, approve)
    issued = [r for r in results if isinstance(r, Voucher)]
    refused = [r for r in results if isinstance(r, ex.InvalidTransition)]
    assert len(issued) == 1 and len(refused) == 1, results
    assert Voucher.objects.filter(application=application).count() == 1
    assert VoucherApplication.objects.get(pk=application.pk).history.filter(to_status="approved").count() == 1
    assert ledger_differences() == []


def test_concurrent_approvals_never_overdraw_the_programme_budget():
    from enterprises.selectors import enterprise_for_user
    from tests.factories import enterprise_user, make_programme, region_admin
    from tests.vouchers.conftest import complete_basic_info
    from vouchers.models import VoucherProgramme
    from vouchers.services import approve_application, submit_application

    programme = make_programme("WJI", budget="50000.00", max_amount="10000.00")
    admin = region_admin("budget_admin", "WJI")
    applications = []
    for i in range(10):
        buyer = enterprise_user(f"budget_buyer_{i}")
        applications.append(
            submit_application(
                enterprise=complete_basic_info(enterprise_for_user(buyer)),
                programme_id=programme.pk,
                requested_amount=Decimal("10000.00"),
                intended_services="检测",
                expected_results="成效",
                declaration=True,
                actor=buyer,
            )
        )

    def approve(i):
        return approve_application(applications[i].pk, granted_amount=Decimal("10000.00"), actor=admin)

    results = run_threads(10, approve)
    assert sum(isinstance(r, Voucher) for r in results) == 5
    assert sum(isinstance(r, ex.BudgetExceeded) for r in results) == 5, results
    programme = VoucherProgramme.objects.get(pk=programme.pk)
    assert programme.budget_used == programme.total_budget
    assert ledger_differences() == []
