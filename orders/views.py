"""Order pages: 立即下单, 买家中心 订单管理 and 卖家中心 订单管理 (manual §4-§6). Thin: every
read goes through orders.selectors, every write through orders.services."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog.selectors import public_item, staff_for_user
from catalog.views import seller_menu
from config.menus import url_or_none
from config.pagination import paginate
from config.private_files import private_file_response
from enterprises.selectors import enterprise_for_user
from orders import selectors, services
from orders.exceptions import InvalidInput, OrderError
from orders.forms import AcceptForm, DifferenceForm, OrderForm, ReasonForm, RedeemForm, ReviewForm
from orders.models import OrderMode, OrderStatus
from vouchers.money import voucher_share

BUYER_MENU = "订单管理"


# --- 立即下单 ---------------------------------------------------------------------------------


def _split_rows(item, vouchers, policy, quantity: int = 1) -> list[dict]:
    """How the price splits between the voucher and the enterprise, per usable voucher."""
    if item.price_type != "fixed" or item.price is None or policy is None:
        return []
    amount = item.price * quantity
    rows = []
    for voucher in vouchers:
        share = voucher_share(amount, policy.subsidy_ratio, voucher.remaining_amount)
        rows.append({"voucher": voucher, "amount": amount, "share": share, "own": amount - share})
    return rows


@login_required
def create(request, item_id: int):
    item = public_item(item_id)
    enterprise = enterprise_for_user(request.user)
    if enterprise is None:
        return render(request, "orders/not_enterprise.html", {"item": item}, status=200)
    blocker = services.voucher_blocker(enterprise, item)
    policy = enterprise.region.current_policy if enterprise.region_id else None
    vouchers = [] if blocker else list(services.usable_vouchers(enterprise))
    tongdui = bool(policy and policy.mode == OrderMode.TONGDUI)
    form = OrderForm(request.POST or None, vouchers=vouchers, tongdui=tongdui)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.place_order(
                user=request.user,
                item_id=item.pk,
                quantity=data["quantity"],
                voucher_id=data["voucher"] or None,
                details={name: data.get(name, "") for name in services.TONGDUI_FIELDS},
            )
        except OrderError as error:
            form.add_error("quantity" if "数量" in str(error) else None, str(error))
        else:
            return redirect("orders:placed", order.pk)
    context = {
        "item": item,
        "enterprise": enterprise,
        "policy": policy,
        "blocker": blocker,
        "tongdui": tongdui,
        "quick_redemption": bool(policy and policy.quick_redemption and policy.mode == OrderMode.TONGYONG),
        "quick_url": url_or_none("redemption:quick_list"),
        "form": form,
        "detail_fields": [form[name] for name in services.TONGDUI_FIELDS],
        "split_rows": _split_rows(item, vouchers, policy),
        "ratio_percent": (policy.subsidy_ratio * 100).quantize(Decimal("1")) if policy else None,
    }
    return render(request, "orders/create.html", context)


@login_required
def placed(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    return render(request, "orders/placed.html", {"order": order, "menu": BUYER_MENU})


# --- 买家中心 ------------------------------------------------------------------------------------


def _list_context(request, qs, filters) -> dict:
    return {
        "page": paginate(request, qs),
        # Every field present (""): a missing key costs the template a failed lookup.
        "filters": {**dict.fromkeys(selectors.FILTER_FIELDS, ""), **filters},
        "modes": OrderMode.choices,
        "statuses": OrderStatus.choices,
    }


@login_required
def buyer_list(request):
    enterprise = enterprise_for_user(request.user)
    if enterprise is None:
        raise Http404("没有关联的企业")
    filters = selectors.clean_filters(request.GET)
    context = _list_context(request, selectors.buyer_orders(enterprise, filters), filters)
    context.update({"menu": BUYER_MENU, "role": "buyer", "unit_label": "单位名称"})
    return render(request, "orders/buyer_list.html", context)


def _render_buyer_detail(request, order, **forms):
    context = {
        "order": order,
        "role": "buyer",
        "base_template": "buyer/base.html",
        "menu": BUYER_MENU,
        "refuse_form": forms.get("refuse_form") or ReasonForm(prefix="refuse"),
        "review_form": forms.get("review_form") or ReviewForm(prefix="review"),
        "difference_form": forms.get("difference_form") or DifferenceForm(prefix="difference"),
        "review": getattr(order, "review", None) if _has_review(order) else None,
        "can_review": order.status in (OrderStatus.COMPLETED, OrderStatus.REDEEMING, OrderStatus.REDEEMED)
        and not _has_review(order),
        "can_difference": order.mode == OrderMode.TONGYONG
        and not order.parent_id
        and order.status in services.DIFFERENCE_PARENT_STATUSES,
    }
    return render(request, "orders/detail.html", context, status=400 if forms else 200)


def _has_review(order) -> bool:
    try:
        return order.review is not None
    except ObjectDoesNotExist:
        return False


@login_required
def buyer_detail(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    return _render_buyer_detail(request, order)


def _back(request, order, default: str):
    """Return to the list when the action came from it, else to the order page."""
    if request.POST.get("next") == "list":
        return redirect(default)
    return redirect("orders:buyer_detail", order.pk)


@login_required
@require_POST
def buyer_cancel(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    try:
        services.cancel_order(order.pk, actor=request.user)
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"订单 {order.number} 已取消。")
    return _back(request, order, "orders:buyer_list")


@login_required
@require_POST
def buyer_agree(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    try:
        services.agree_redemption(order.pk, actor=request.user)
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已同意兑付，订单 {order.number} 已完成。")
    return _back(request, order, "orders:buyer_list")


@login_required
@require_POST
def buyer_refuse(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    form = ReasonForm(request.POST, prefix="refuse")
    if form.is_valid():
        try:
            services.refuse_redemption(order.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            form.add_error("reason", str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:buyer_detail", order.pk)
        else:
            messages.success(request, f"已拒绝兑付，订单 {order.number} 回到服务中。")
            return redirect("orders:buyer_detail", order.pk)
    return _render_buyer_detail(request, order, refuse_form=form)


@login_required
@require_POST
def buyer_review(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    form = ReviewForm(request.POST, prefix="review")
    if form.is_valid():
        try:
            services.review_order(order.pk, actor=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error(None, str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:buyer_detail", order.pk)
        else:
            messages.success(request, "评价成功，感谢您的反馈。")
            return redirect("orders:buyer_detail", order.pk)
    return _render_buyer_detail(request, order, review_form=form)


@login_required
@require_POST
def buyer_difference(request, pk: int):
    order = selectors.buyer_order_for_user(request.user, pk)
    form = DifferenceForm(request.POST, prefix="difference")
    if form.is_valid():
        try:
            child = services.create_difference_order(order.pk, actor=request.user, **form.cleaned_data)
        except InvalidInput as error:
            form.add_error("amount", str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:buyer_detail", order.pk)
        else:
            messages.success(request, f"已补下差价订单 {child.number}。")
            return redirect("orders:buyer_detail", order.pk)
    return _render_buyer_detail(request, order, difference_form=form)


@login_required
def order_file(request, pk: int, which: str):
    """服务结果证明 / 发票图片 of a 通兑 order: buyer, seller, buyer-region admins; others 404."""
    order, _role = selectors.order_for_user(request.user, pk)
    if which == "proof":
        ext = order.redemption_proof.name.rsplit(".", 1)[-1] if order.redemption_proof else ""
        name = order.redemption_proof_name or f"服务结果证明.{ext}"
        return private_file_response(order.redemption_proof, download_name=name)
    if which == "invoice":
        ext = order.redemption_invoice.name.rsplit(".", 1)[-1] if order.redemption_invoice else ""
        return private_file_response(order.redemption_invoice, download_name=f"发票-{order.number}.{ext}", inline=True)
    raise Http404("文件不存在")


# --- 卖家中心 ------------------------------------------------------------------------------------


def _seller_staff(request):
    staff = staff_for_user(request.user)  # remembered on request.user: the header reuses it
    if staff is None:
        raise Http404("没有关联的服务机构")
    return staff


def _seller_context(staff) -> dict:
    return {"institution": staff.institution, "seller_menu": seller_menu(staff.is_admin), "menu": "订单管理"}


@login_required
def seller_list(request):
    staff = _seller_staff(request)
    filters = selectors.clean_filters(request.GET)
    context = _list_context(request, selectors.seller_orders(staff.institution, filters), filters)
    context.update({**_seller_context(staff), "role": "seller", "unit_label": "买家名称"})
    return render(request, "orders/seller_list.html", context)


def _render_seller_detail(request, staff, order, **forms):
    context = {
        **_seller_context(staff),
        "order": order,
        "role": "seller",
        "base_template": "seller/base.html",
        "accept_form": forms.get("accept_form") or AcceptForm(order=order, prefix="accept"),
        "decline_form": forms.get("decline_form") or ReasonForm(prefix="decline"),
        "redeem_form": forms.get("redeem_form") or RedeemForm(prefix="redeem"),
        "review": order.review if _has_review(order) else None,
        "held": order.voucher_share,
    }
    return render(request, "orders/detail.html", context, status=400 if forms else 200)


@login_required
def seller_detail(request, pk: int):
    staff = _seller_staff(request)
    order = selectors.seller_order_for_user(request.user, pk)
    return _render_seller_detail(request, staff, order)


@login_required
@require_POST
def seller_accept(request, pk: int):
    staff = _seller_staff(request)
    order = selectors.seller_order_for_user(request.user, pk)
    form = AcceptForm(request.POST, order=order, prefix="accept")
    if form.is_valid():
        try:
            services.accept_order(order.pk, actor=request.user, amount=form.cleaned_data.get("amount"))
        except InvalidInput as error:
            form.add_error("amount", str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:seller_detail", order.pk)
        else:
            messages.success(request, f"已接单：{order.number}。")
            return redirect("orders:seller_detail", order.pk)
    return _render_seller_detail(request, staff, order, accept_form=form)


@login_required
@require_POST
def seller_decline(request, pk: int):
    staff = _seller_staff(request)
    order = selectors.seller_order_for_user(request.user, pk)
    form = ReasonForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            services.decline_order(order.pk, actor=request.user, reason=form.cleaned_data["reason"])
        except InvalidInput as error:
            form.add_error("reason", str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:seller_detail", order.pk)
        else:
            messages.success(request, f"已拒绝接单：{order.number}。")
            return redirect("orders:seller_detail", order.pk)
    return _render_seller_detail(request, staff, order, decline_form=form)


@login_required
@require_POST
def seller_complete(request, pk: int):
    _seller_staff(request)
    order = selectors.seller_order_for_user(request.user, pk)
    try:
        services.complete_service(order.pk, actor=request.user)
    except OrderError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"订单 {order.number} 服务已完成。")
    return redirect("orders:seller_detail", order.pk)


@login_required
@require_POST
def seller_redeem(request, pk: int):
    staff = _seller_staff(request)
    order = selectors.seller_order_for_user(request.user, pk)
    form = RedeemForm(request.POST, request.FILES, prefix="redeem")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.request_redemption(
                order.pk,
                actor=request.user,
                amount=data["amount"],
                proof=data["proof"],
                proof_name=form.proof_name,
                invoice=data.get("invoice"),
            )
        except InvalidInput as error:
            form.add_error("amount", str(error))
        except OrderError as error:
            messages.error(request, str(error))
            return redirect("orders:seller_detail", order.pk)
        else:
            messages.success(request, f"已申请兑付：{order.number}，等待买家确认。")
            return redirect("orders:seller_detail", order.pk)
    return _render_seller_detail(request, staff, order, redeem_form=form)
