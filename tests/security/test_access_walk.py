"""Access walker (DESIGN §3, §11; issue 10): every URL pattern of the portal that takes an
object id is in REGISTRY, which builds an object owned by someone and lists who must get a
404 for it. The owner must reach it (so a 404 for strangers means something); a stranger —
buyer B (another enterprise), a user of another institution, another region's
administrator — gets a 404 on GET and on POST. A pattern with parameters that is missing
from REGISTRY fails the test: a URL added later without coverage is caught."""

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from tests.security.corpus import small_png
from tests.security.urlwalk import portal_routes

pytestmark = pytest.mark.django_db

STRANGERS = ("buyer_b", "other_seller", "other_region_admin")


class World:
    """Objects built on demand (each once) for the registry's factories."""

    def __init__(self, request):
        self.request = request
        self._cache = {}

    def persona(self, name):
        return self.request.getfixturevalue(name) if name != "other_seller" else self.other_seller

    def _once(self, key, build):
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # --- people ---
    @property
    def other_seller(self):
        def build():
            from catalog.models import InstitutionStaff
            from tests.factories import UserFactory, institution_factory

            user = UserFactory(username="other_seller")
            InstitutionStaff.objects.create(user=user, institution=institution_factory(name="别家机构"), is_admin=True)
            return user

        return self._once("other_seller", build)

    @property
    def qpu_buyer(self):
        from tests.redemption.conftest import enterprise_in

        return self._once("qpu_buyer", lambda: enterprise_in("QPU", "310118", "qpu_buyer"))

    # --- enterprise side ---
    @property
    def enterprise(self):
        def build():
            from enterprises.selectors import enterprise_for_user

            enterprise = enterprise_for_user(self.persona("buyer_a"))
            enterprise.licence.save("l.png", ContentFile(small_png()), save=True)
            return enterprise

        return self._once("enterprise", build)

    @property
    def message(self):
        from messaging.services import notify

        return self._once("message", lambda: notify(self.persona("buyer_a"), "system", "给买家A的通知"))

    @property
    def operator(self):
        def build():
            from enterprises.models import EnterpriseMember
            from tests.factories import UserFactory

            user = UserFactory(username="operator_a")
            return EnterpriseMember.objects.create(user=user, enterprise=self.enterprise, is_admin=False)

        return self._once("operator", build)

    @property
    def join_file(self):
        def build():
            from enterprises.models import JoinApplication, JoinApplicationFile

            app = JoinApplication.objects.create(
                enterprise=self.enterprise,
                applicant=self.persona("buyer_a"),
                institution_name="买家A的加盟",
                contact_person="甲",
                contact_phone="051263000000",
            )
            f = JoinApplicationFile(application=app, original_name="a.pdf")
            f.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
            return f

        return self._once("join_file", build)

    @property
    def voucher(self):
        from tests.factories import make_voucher

        return self._once("voucher", lambda: make_voucher(self.enterprise, amount="10000.00"))

    @property
    def voucher_application(self):
        def build():
            from tests.factories import make_programme
            from tests.vouchers.conftest import complete_basic_info
            from vouchers.services import submit_application

            complete_basic_info(self.enterprise)
            return submit_application(
                enterprise=self.enterprise,
                programme_id=make_programme("WJI").pk,
                requested_amount="1000.00",
                intended_services="检测",
                expected_results="认证",
                declaration=True,
                actor=self.persona("buyer_a"),
            )

        return self._once("voucher_application", build)

    # --- seller side ---
    @property
    def institution(self):
        return self.persona("institution")

    @property
    def item(self):
        from tests.factories import service_item

        return self._once("item", lambda: service_item(self.institution, price="1000.00", regions=("WJI", "QPU")))

    @property
    def item_image(self):
        def build():
            from catalog.models import ServiceItemImage

            img = ServiceItemImage(item=self.item)
            img.image.save("a.png", ContentFile(small_png()), save=False)
            img.thumb.save("b.png", ContentFile(small_png()), save=False)
            img.save()
            return img

        return self._once("item_image", build)

    @property
    def instrument(self):
        from tests.factories import instrument

        return self._once("instrument", lambda: instrument(self.institution))

    @property
    def instrument_image(self):
        def build():
            from catalog.models import InstrumentImage

            img = InstrumentImage(instrument=self.instrument)
            img.image.save("a.png", ContentFile(small_png()), save=False)
            img.thumb.save("b.png", ContentFile(small_png()), save=False)
            img.save()
            return img

        return self._once("instrument_image", build)

    @property
    def sub_unit(self):
        from catalog.models import SubUnit

        return self._once("sub_unit", lambda: SubUnit.objects.create(institution=self.institution, name="检测一部"))

    @property
    def staff(self):
        def build():
            from catalog.models import InstitutionStaff
            from tests.factories import UserFactory

            return InstitutionStaff.objects.create(
                user=UserFactory(username="seller_op"), institution=self.institution, is_admin=False
            )

        return self._once("staff", build)

    @property
    def order(self):
        """A 通兑 order of buyer A at the seller, 申请兑付 done (proof and invoice stored)."""

        def build():
            from orders import services
            from tests.orders.conftest import place

            seller = self.persona("seller")
            order = place(self.persona("buyer_a"), self.item, self.voucher)
            services.accept_order(order.pk, actor=seller, amount="1000.00")
            services.confirm_quota(order.pk, actor=self.persona("wujiang_admin"))
            services.request_redemption(
                order.pk,
                actor=seller,
                amount="100.00",
                proof=ContentFile(b"%PDF-1.4\n%%EOF\n", name="p.pdf"),
                invoice=ContentFile(small_png(), name="i.png"),
            )
            order.refresh_from_db()
            return order

        return self._once("order", build)

    @property
    def claim(self):
        """机构兑付 claim: buyer A agrees to 兑付 of a second 通兑 order (the hook files it)."""

        def build():
            from orders import services
            from redemption.models import RedemptionApplication
            from tests.orders.conftest import place

            seller = self.persona("seller")
            order = place(self.persona("buyer_a"), self.item, self.voucher)
            services.accept_order(order.pk, actor=seller, amount="1000.00")
            services.confirm_quota(order.pk, actor=self.persona("wujiang_admin"))
            services.request_redemption(
                order.pk, actor=seller, amount="100.00", proof=ContentFile(b"%PDF-1.4\n%%EOF\n", name="p.pdf")
            )
            services.agree_redemption(order.pk, actor=self.persona("buyer_a"))
            return RedemptionApplication.objects.filter(kind="claim").latest("pk")

        return self._once("claim", build)

    # --- redemption (通用 region: 青浦区) ---
    @property
    def redemption(self):
        def build():
            from enterprises.selectors import enterprise_for_user
            from redemption import services
            from tests.factories import make_voucher, region_admin
            from tests.redemption.conftest import add_invoice, completed_order, draft

            buyer = self.qpu_buyer
            voucher = make_voucher(enterprise_for_user(buyer), amount="10000.00")
            admin = region_admin("admin_qingpu", "QPU")
            order = completed_order(buyer, self.item, voucher, seller=self.persona("seller"), admin=admin)
            application = draft(buyer, voucher)
            services.add_orders(application.pk, actor=buyer, selections=[(order.pk, "100.00")])
            line = application.lines.get()
            invoice = add_invoice(application, buyer, "100.00")
            attachment = application.attachments.first()
            return {"application": application, "line": line, "invoice": invoice, "attachment": attachment}

        return self._once("redemption", build)

    @property
    def expert_assignment(self):
        def build():
            from redemption.models import ExpertAssignment
            from tests.redemption.conftest import make_expert

            return ExpertAssignment.objects.create(
                application=self.redemption["application"], expert=make_expert("expert_walk")
            )

        return self._once("expert_assignment", build)


def R(kwargs, owner, *, method="get", strangers=STRANGERS):
    return {"kwargs": kwargs, "owner": owner, "method": method, "strangers": strangers}


def PUBLIC(kwargs):
    """Public pages (shop, item, instrument, pictures, favourites buttons): no owner."""
    return {"kwargs": kwargs, "public": True}


REGISTRY = {
    # 站内信
    "messaging:detail": R(lambda w: {"pk": w.message.pk}, "buyer_a"),
    "messaging:delete": R(lambda w: {"pk": w.message.pk}, "buyer_a", method="post"),
    # 企业
    "enterprises:licence": R(lambda w: {"pk": w.enterprise.pk}, "buyer_a"),
    "enterprises:member_disable": R(lambda w: {"pk": w.operator.pk}, "buyer_a", method="post"),
    "enterprises:member_enable": R(lambda w: {"pk": w.operator.pk}, "buyer_a", method="post"),
    "enterprises:member_remove": R(lambda w: {"pk": w.operator.pk}, "buyer_a", method="post"),
    "enterprises:member_transfer": R(lambda w: {"pk": w.operator.pk}, "buyer_a", method="post"),
    "enterprises:join_file": R(lambda w: {"pk": w.join_file.pk}, "buyer_a"),
    # 服务超市 (public)
    "catalog:item_detail": PUBLIC(lambda w: {"item_id": w.item.pk}),
    "catalog:instrument_detail": PUBLIC(lambda w: {"instrument_id": w.instrument.pk}),
    "catalog:shop": PUBLIC(lambda w: {"institution_id": w.institution.pk}),
    "catalog:image": PUBLIC(lambda w: {"name": w.item_image.image.name.split("/", 1)[-1]}),
    "orders:create": PUBLIC(lambda w: {"item_id": w.item.pk}),
    "favorites:button": PUBLIC(lambda w: {"kind": "item", "target_id": w.item.pk}),
    "favorites:toggle": PUBLIC(lambda w: {"kind": "item", "target_id": w.item.pk}),
    "favorites:remove": PUBLIC(lambda w: {"kind": "item", "target_id": w.item.pk}),
    # 卖家中心
    "catalog:seller_sub_unit_edit": R(lambda w: {"sub_unit_id": w.sub_unit.pk}, "seller"),
    "catalog:seller_sub_unit_delete": R(lambda w: {"sub_unit_id": w.sub_unit.pk}, "seller", method="post"),
    "catalog:seller_item_edit": R(lambda w: {"item_id": w.item.pk}, "seller"),
    "catalog:seller_item_shelf": R(lambda w: {"item_id": w.item.pk}, "seller", method="post"),
    "catalog:seller_item_image_delete": R(
        lambda w: {"item_id": w.item.pk, "image_id": w.item_image.pk}, "seller", method="post"
    ),
    "catalog:seller_instrument_edit": R(lambda w: {"instrument_id": w.instrument.pk}, "seller"),
    "catalog:seller_instrument_shelf": R(lambda w: {"instrument_id": w.instrument.pk}, "seller", method="post"),
    "catalog:seller_instrument_image_delete": R(
        lambda w: {"instrument_id": w.instrument.pk, "image_id": w.instrument_image.pk}, "seller", method="post"
    ),
    "catalog:seller_staff_remove": R(lambda w: {"staff_id": w.staff.pk}, "seller", method="post"),
    # 创新券
    "vouchers:application_detail": R(lambda w: {"pk": w.voucher_application.pk}, "buyer_a"),
    "vouchers:application_edit": R(lambda w: {"pk": w.voucher_application.pk}, "buyer_a"),
    "vouchers:detail": R(lambda w: {"pk": w.voucher.pk}, "buyer_a"),
    # 订单 (buyer)
    "orders:buyer_detail": R(lambda w: {"pk": w.order.pk}, "buyer_a"),
    "orders:placed": R(lambda w: {"pk": w.order.pk}, "buyer_a"),
    "orders:cancel": R(lambda w: {"pk": w.order.pk}, "buyer_a", method="post"),
    "orders:agree": R(lambda w: {"pk": w.order.pk}, "buyer_a", method="post"),
    "orders:refuse": R(lambda w: {"pk": w.order.pk}, "buyer_a", method="post"),
    "orders:review": R(lambda w: {"pk": w.order.pk}, "buyer_a", method="post"),
    "orders:difference": R(lambda w: {"pk": w.order.pk}, "buyer_a", method="post"),
    "orders:file": R(lambda w: {"pk": w.order.pk, "which": "invoice"}, "buyer_a"),
    # 订单 (seller)
    "orders:seller_detail": R(lambda w: {"pk": w.order.pk}, "seller"),
    "orders:accept": R(lambda w: {"pk": w.order.pk}, "seller", method="post"),
    "orders:decline": R(lambda w: {"pk": w.order.pk}, "seller", method="post"),
    "orders:complete": R(lambda w: {"pk": w.order.pk}, "seller", method="post"),
    "orders:redeem": R(lambda w: {"pk": w.order.pk}, "seller", method="post"),
    # 兑付 (青浦区 buyer; buyer_b is another enterprise)
    "redemption:detail": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer"),
    "redemption:edit": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer"),
    "redemption:delete": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer", method="post"),
    "redemption:order_dialog": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer"),
    "redemption:orders_add": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer", method="post"),
    "redemption:line_remove": R(
        lambda w: {"pk": w.redemption["application"].pk, "line_id": w.redemption["line"].pk}, "qpu_buyer", method="post"
    ),
    "redemption:line_amount": R(
        lambda w: {"pk": w.redemption["application"].pk, "line_id": w.redemption["line"].pk}, "qpu_buyer", method="post"
    ),
    "redemption:invoice_dialog": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer"),
    "redemption:invoice_new": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer", method="post"),
    "redemption:invoice_delete": R(
        lambda w: {"pk": w.redemption["application"].pk, "invoice_id": w.redemption["invoice"].pk},
        "qpu_buyer",
        method="post",
    ),
    "redemption:line_invoice": R(
        lambda w: {"pk": w.redemption["application"].pk, "line_id": w.redemption["line"].pk}, "qpu_buyer", method="post"
    ),
    "redemption:attachment_new": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer", method="post"),
    "redemption:attachment_delete": R(
        lambda w: {"pk": w.redemption["application"].pk, "attachment_id": w.redemption["attachment"].pk},
        "qpu_buyer",
        method="post",
    ),
    "redemption:submit": R(lambda w: {"pk": w.redemption["application"].pk}, "qpu_buyer", method="post"),
    "redemption:quick_detail": R(lambda w: {"pk": w.redemption["application"].pk}, None),
    "redemption:claim_file": R(lambda w: {"pk": w.claim.pk, "which": "proof"}, "seller"),
    "redemption:claim_detail": R(lambda w: {"pk": w.claim.pk}, "seller"),
    "redemption:attachment_file": R(lambda w: {"pk": w.redemption["attachment"].pk}, "qpu_buyer"),
    "redemption:invoice_file": R(lambda w: {"pk": w.redemption["invoice"].pk}, "qpu_buyer"),
    "redemption:expert_review": R(
        lambda w: {"pk": w.expert_assignment.application_id}, None, strangers=(*STRANGERS, "expert_other")
    ),
}


# Private files (licence, join files, order proof/invoice, redemption invoices/attachments):
# never cached by a shared cache.
PRIVATE_FILES = {
    "enterprises:licence",
    "enterprises:join_file",
    "orders:file",
    "redemption:attachment_file",
    "redemption:invoice_file",
    "redemption:claim_file",
}


def test_every_pattern_with_parameters_is_registered():
    missing = sorted(r.name for r in portal_routes() if r.params and r.name not in REGISTRY)
    assert not missing, f"URL patterns with ids but no access rule in REGISTRY: {missing}"
    stale = sorted(set(REGISTRY) - {r.name for r in portal_routes()})
    assert not stale, f"REGISTRY names that no longer exist: {stale}"


def _client_for(world, name):
    client = Client()
    if name == "expert_other":
        from tests.redemption.conftest import make_expert

        client.force_login(world._once("expert_other", lambda: make_expert("expert_other")))
    elif name == "qpu_buyer":
        client.force_login(world.qpu_buyer)
    elif name == "other_seller":
        client.force_login(world.other_seller)
    else:
        client.force_login(world.persona(name))
    return client


def _hit(client, method, url):
    return client.post(url, {}) if method == "post" else client.get(url)


def test_strangers_get_404_and_owners_get_in(
    request, buyer_a, buyer_b, seller, wujiang_admin, other_region_admin, institution, settings, tmp_path
):
    """One world for the whole registry (fast); each owner's POST runs in a savepoint that
    is rolled back, so no route changes what the next one sees."""
    from django.db import transaction

    settings.MEDIA_ROOT = str(tmp_path)
    world = World(request)
    clients = {}
    problems = []

    def client(persona):
        if persona not in clients:
            clients[persona] = _client_for(world, persona)
        return clients[persona]

    # GET routes first: an owner's POST (e.g. 删除附件) is rolled back in the database but a
    # file it deleted from the storage stays deleted.
    for name in sorted(REGISTRY, key=lambda n: (REGISTRY[n].get("method") == "post", n)):
        cache.clear()
        rule = REGISTRY[name]
        url = reverse(name, kwargs=rule["kwargs"](world))
        if rule.get("public"):
            for persona in ("buyer_a", *STRANGERS):
                status = _hit(client(persona), "get", url).status_code
                if status >= 500:
                    problems.append((name, persona, "get", status))
            continue
        for persona in rule["strangers"]:
            for method in ("get", "post"):
                browser = client(persona)  # created outside the savepoint
                with transaction.atomic():
                    response = _hit(browser, method, url)
                    transaction.set_rollback(True)
                allowed = (404,) if method == rule["method"] else (404, 405)
                if response.status_code not in allowed:
                    problems.append((name, persona, method, response.status_code, response.get("Location")))
        if rule["owner"]:
            browser = client(rule["owner"])
            with transaction.atomic():
                response = _hit(browser, rule["method"], url)
                status = response.status_code
                transaction.set_rollback(True)
            if name in PRIVATE_FILES and status == 200:
                cache_control = response.get("Cache-Control", "")
                if "private" not in cache_control or "no-store" not in cache_control:
                    problems.append((name, "cached publicly", cache_control))
            if status in (404, 405) or status >= 500:
                problems.append((name, "OWNER " + rule["owner"], rule["method"], status))
    assert not problems, "\n".join(map(str, problems))
