"""The header's 卖家中心 link (issue 9) is on every logged-in page. A seller page answers it
from the lookup its own access check made; any other page from a per-user flag in the
cache, which every write to InstitutionStaff (catalog.services, the admin) drops at once.
Any role can work for an institution: an enterprise's applicant becomes its administrator
when 申请加盟 is approved and keeps the enterprise role, so no role is skipped."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models.fields.files import FieldFile
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from catalog import services
from catalog.models import InstitutionStaff
from enterprises.models import JoinApplication
from enterprises.selectors import enterprise_for_user
from enterprises.services import decide_join_application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SELLER_HOME = reverse("catalog:seller_home")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def shows_link(client, url=None) -> bool:
    response = client.get(url or reverse("accounts:profile"))
    assert response.status_code == 200
    return f'<a href="{SELLER_HOME}">卖家中心</a>' in response.content.decode()


def staff_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return sum(1 for q in ctx.captured_queries if "catalog_institutionstaff" in q["sql"])


def test_join_approval_shows_the_link_to_the_enterprise_user_at_once(client, buyer_a, wujiang_admin):
    client.force_login(buyer_a)
    assert not shows_link(client, reverse("orders:buyer_list"))  # "not staff" is now cached
    enterprise = enterprise_for_user(buyer_a)
    application = JoinApplication.objects.create(
        enterprise=enterprise,
        applicant=buyer_a,
        institution_name="吴江智检科技服务中心",
        contact_person="沈工",
        contact_phone="0512-63009999",
    )
    decide_join_application(application.pk, wujiang_admin, approve=True)
    buyer_a.refresh_from_db()
    assert buyer_a.role == User.Role.ENTERPRISE  # still a buyer, now also a seller
    assert shows_link(client, reverse("orders:buyer_list"))
    assert client.get(SELLER_HOME).status_code == 200


def test_adding_and_removing_an_operator_changes_the_link_at_once(client, seller, institution):
    operator = UserFactory(username="op1")
    other = type(client)()
    other.force_login(operator)
    assert not shows_link(other)
    staff = services.add_staff(institution, operator)
    assert shows_link(other)
    client.force_login(seller)
    response = client.post(reverse("catalog:seller_staff_remove", args=[staff.pk]))
    assert response.status_code == 302 and not InstitutionStaff.objects.filter(pk=staff.pk).exists()
    assert not shows_link(other)
    assert other.get(SELLER_HOME).status_code == 404


def test_seller_pages_look_the_staff_row_up_once(client, seller):
    """Once with the user on the first page (accounts.identity), then from the cache."""
    client.force_login(seller)
    names = ("catalog:seller_home", "orders:seller_list", "redemption:claim_list", "catalog:seller_items")
    for index, name in enumerate(names):
        assert staff_queries(client, reverse(name)) == (1 if index == 0 else 0), name
        assert shows_link(client, reverse(name))


def test_other_pages_read_the_flag_from_the_cache(client, seller, buyer_a):
    for user in (seller, buyer_a):
        client.force_login(user)
        url = reverse("accounts:profile")
        assert staff_queries(client, url) == 1
        assert staff_queries(client, url) == 0
        assert shows_link(client, url) == (user == seller)


def _change_form_data(response) -> dict:
    """The POST data of an admin change form as the browser would send it unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        forms += inline.formset.forms
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or value is False or isinstance(value, FieldFile):
                continue
            data[field.html_name] = "on" if value is True else value
    return data


def test_staff_added_or_removed_in_the_admin_changes_the_link(client, admin_client, seller, institution):
    operator = UserFactory(username="op2")
    client.force_login(operator)
    assert not shows_link(client)
    url = reverse("admin:catalog_institution_change", args=[institution.pk])
    data = _change_form_data(admin_client.get(url))
    n = int(data["staff-TOTAL_FORMS"])
    data.update({"staff-TOTAL_FORMS": n + 1, f"staff-{n}-user": operator.pk, f"staff-{n}-institution": institution.pk})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert InstitutionStaff.objects.filter(user=operator, institution=institution).exists()
    assert shows_link(client)

    client.force_login(seller)
    assert shows_link(client)
    response = admin_client.post(reverse("admin:catalog_institution_delete", args=[institution.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not shows_link(client)
