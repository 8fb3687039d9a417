"""Personal data (DESIGN §11, issue 10): ID numbers and mobile numbers are masked wherever
someone other than their owner sees them — the seller's order pages, the enterprise's and
institution's user lists, the admin's lists and change pages, the audit trail."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory, valid_id_number

pytestmark = pytest.mark.django_db

PHONE = "13955556666"


@pytest.fixture
def private_people(buyer_a, seller, institution):
    """buyer A with a mobile and an ID number, an operator of buyer A's enterprise, and an
    operator of the seller's institution, each with their own numbers."""
    from catalog.models import InstitutionStaff
    from enterprises.models import EnterpriseMember
    from enterprises.selectors import enterprise_for_user

    id_number = valid_id_number(23)
    User.objects.filter(pk=buyer_a.pk).update(phone=PHONE, id_number=id_number)
    operator = UserFactory(username="op_a", phone="13955557777", id_number=valid_id_number(24))
    EnterpriseMember.objects.create(user=operator, enterprise=enterprise_for_user(buyer_a), is_admin=False)
    seller_op = UserFactory(username="seller_op", phone="13955558888", id_number=valid_id_number(25))
    InstitutionStaff.objects.create(user=seller_op, institution=institution, is_admin=False)
    return [User.objects.get(pk=buyer_a.pk), operator, seller_op]


def _assert_masked(body: str, people, where: str):
    for person in people:
        assert person.phone not in body, (where, person.username, "phone")
        assert person.id_number not in body, (where, person.username, "id")


def test_portal_pages_show_other_peoples_numbers_masked(client, private_people, buyer_a, seller, institution):
    from enterprises.selectors import enterprise_for_user
    from tests.factories import make_voucher, service_item
    from tests.orders.conftest import place

    buyer, operator, seller_op = private_people
    order = place(buyer_a, service_item(institution, regions=("WJI",)), make_voucher(enterprise_for_user(buyer_a)))
    client.force_login(seller)
    for url in [
        reverse("orders:seller_detail", args=[order.pk]),
        reverse("orders:seller_list"),
        reverse("catalog:seller_staff"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_masked(response.content.decode(), [buyer, operator, seller_op], url)
    assert seller_op.masked_phone in client.get(reverse("catalog:seller_staff")).content.decode()
    client.force_login(buyer_a)
    body = client.get(reverse("enterprises:members")).content.decode()
    _assert_masked(body, [operator], "members")
    assert operator.masked_phone in body


def test_admin_lists_and_change_pages_show_numbers_masked(client, private_people, wujiang_admin, admin_client):
    buyer, operator, seller_op = private_people
    client.force_login(wujiang_admin)
    for browser, who in ((client, "region admin"), (admin_client, "platform admin")):
        for url in [
            reverse("admin:accounts_user_changelist"),
            reverse("admin:accounts_user_change", args=[buyer.pk]),
            reverse("admin:accounts_user_change", args=[operator.pk]),
            reverse("admin:accounts_auditentry_changelist"),
        ]:
            if who == "platform admin" and "/change/" in url:
                continue  # the platform administrator edits the numbers (full values, by design)
            response = browser.get(url)
            if response.status_code == 404:
                continue  # outside this administrator's regions
            assert response.status_code == 200, (who, url, response.status_code)
            _assert_masked(response.content.decode(), [buyer, operator], f"{who} {url}")


def test_audit_trail_of_a_phone_change_is_masked(buyer_a, admin_client):
    from accounts import audit
    from accounts.models import AuditEntry

    audit.record("user.phone_change", buyer_a, before={"phone": "13911112222"}, after={"phone": PHONE}, actor=buyer_a)
    entry = AuditEntry.objects.latest("pk")
    assert "13911112222" not in str(entry.before) and PHONE not in str(entry.after)
