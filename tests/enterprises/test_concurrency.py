import threading

import pytest
from django.db import connection

from enterprises import services
from enterprises.exceptions import EnterpriseError
from enterprises.models import EnterpriseMember
from tests.factories import EnterpriseFactory, enterprise_user


def _run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_handovers_at_once_leave_exactly_one_administrator(live_db):
    enterprise = EnterpriseFactory()
    boss = enterprise_user("boss", enterprise)
    op1 = enterprise_user("op_one", enterprise, is_admin=False)
    op2 = enterprise_user("op_two", enterprise, is_admin=False)
    m1, m2 = op1.enterprise_membership.pk, op2.enterprise_membership.pk
    results = _run_together(
        [lambda: services.transfer_admin(enterprise, boss, m1), lambda: services.transfer_admin(enterprise, boss, m2)]
    )
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], EnterpriseError), results
    admins = list(EnterpriseMember.objects.filter(enterprise=enterprise, is_admin=True))
    assert len(admins) == 1 and admins[0].user_id in (op1.pk, op2.pk)


@pytest.mark.django_db(transaction=True)
def test_decide_join_application_twice_at_once(live_db, settings):
    from django.core.files.base import ContentFile

    from enterprises.models import JoinApplication
    from tests.factories import region_admin

    settings.JOIN_APPROVED_HOOKS = []
    enterprise = EnterpriseFactory()
    applicant = enterprise_user("applicant", enterprise)
    admin_user = region_admin("admin_wji_c", "WJI")
    app = services.submit_join_application(
        enterprise,
        applicant,
        {
            "institution_name": "并发机构",
            "institution_type": "其他",
            "service_fields": "检测",
            "contact_person": "甲",
            "contact_phone": "051263000000",
            "address": "吴江",
            "introduction": "简介",
        },
        [(ContentFile(b"%PDF-1.4 x", name="a.pdf"), "a.pdf")],
    )
    results = _run_together(
        [
            lambda: services.decide_join_application(app.pk, admin_user, approve=True),
            lambda: services.decide_join_application(app.pk, admin_user, approve=False, reason="重复"),
        ]
    )
    assert sum(isinstance(r, EnterpriseError) for r in results) == 1, results
    app.refresh_from_db()
    assert app.history.count() == 2 and app.status in ("approved", "rejected")
    assert JoinApplication.objects.count() == 1
