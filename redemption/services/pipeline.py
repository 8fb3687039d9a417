"""The review pipeline of DESIGN §4 and the money of §6.

提交 moves the orders' holds to the application and tops them up to its 兑现金额 (capped
by what remains) in one transaction, the voucher row locked first so two submissions on
one voucher are serialized; 审核通过 consumes 核定金额 and releases the rest; 退回修改 /
审核不通过 release. Every step writes a history row and a 站内信 in its transaction.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import User
from messaging.models import Message
from messaging.services import notify
from orders.models import Order, OrderStatus
from orders.services import move_order
from redemption.exceptions import InsufficientVoucher, InvalidInput, InvalidTransition, NotAllowed
from redemption.models import (
    CAUSE,
    TRANSITIONS,
    ApplicationOrder,
    Disbursement,
    ExpertAssignment,
    Kind,
    RedemptionApplication,
    Status,
)
from redemption.services.common import (
    actor_or_none,
    clean_money,
    clean_text,
    history,
    is_applicant,
    is_region_admin,
    lock_application,
    move,
    pk_or_error,
    require_window,
    tell_admins,
    tell_applicant,
)
from redemption.services.drafts import check_invoice_rules, recompute_total
from vouchers.exceptions import VoucherError
from vouchers.models import Voucher
from vouchers.money import ZERO, voucher_share
from vouchers.services import (
    held_for,
    transfer_hold,
    voucher_consume,
    voucher_hold,
    voucher_release,
    voucher_reverse_consume,
)

ORDER_ENTER_ACTIONS = {
    OrderStatus.COMPLETED: "enter_redemption",
    OrderStatus.IN_SERVICE: "enter_redemption_in_service",
    OrderStatus.PENDING_ACCEPT: "enter_redemption_offline",
}


def _round_key(application: RedemptionApplication) -> int:
    """Which submission this is (keys of ledger entries must differ after 退回修改)."""
    return application.history.filter(action="提交").count() + 1


def _decision_key(application: RedemptionApplication) -> str:
    """The prefix of the ledger keys of a review decision: one per submission and, after
    each 异议成立, a new one (the decision is taken again)."""
    objections = application.history.filter(action=TRANSITIONS["objection"].action).count()
    return f"redemption:{application.pk}:r{_round_key(application) - 1}" + (f":o{objections}" if objections else "")


def _lock_for_money(application_id) -> tuple[RedemptionApplication, Voucher]:
    """Lock the voucher row first, then the application (one lock order everywhere)."""
    pk = pk_or_error(application_id)
    voucher_id = RedemptionApplication.objects.filter(pk=pk).values_list("voucher_id", flat=True).first()
    if voucher_id is None:
        raise InvalidInput("兑付申请不存在")
    voucher = Voucher.objects.select_for_update().get(pk=voucher_id)
    application = lock_application(pk)
    if application.voucher_id != voucher.pk:  # changed meanwhile (draft): try again
        raise InvalidTransition("兑付申请已被修改，请刷新后重试")
    return application, voucher


def _release_all(application: RedemptionApplication, actor, key: str) -> None:
    held = held_for(application.voucher_id, CAUSE, application.pk)
    if held > 0:
        voucher_release(
            application.voucher_id, held, cause_type=CAUSE, cause_id=application.pk, key=key, actor=actor_or_none(actor)
        )


def _orders_leave(application: RedemptionApplication, actor, note: str) -> None:
    for line in application.lines.select_related("order"):
        if line.order.status == OrderStatus.REDEEMING:
            move_order(line.order_id, "leave_redemption", actor=actor_or_none(actor), note=note)


# --- 提交 -----------------------------------------------------------------------------------------


@transaction.atomic
def submit_application(application_id, *, actor, today=None) -> RedemptionApplication:
    """提交 (applicant): checks the form and the order–invoice rules, moves the orders to
    兑付中, and makes the application hold its 兑现金额 on the voucher."""
    today = today or timezone.localdate()
    application, voucher = _lock_for_money(application_id)
    if not is_applicant(actor, application):
        raise NotAllowed("您无权提交该兑付申请")
    if application.kind == Kind.CLAIM:
        raise InvalidTransition("机构兑付申请由买家同意兑付后自动提交")
    if application.status != Status.DRAFT:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能提交")
    require_window(application.policy, today)
    clean_text(application.effect, "服务成效体现", required=True, field="effect")
    clean_text(application.innovation, "创新性体现", required=True, field="innovation")
    if not application.attachments.exists():
        raise InvalidInput("请上传其它附件（服务合同、服务结果证明等）", "attachment")
    lines = list(application.lines.select_related("order"))
    if application.kind == Kind.GENERAL:
        if not lines:
            raise InvalidInput("请选择订单", "orders")
        check_invoice_rules(application, complete=True)
    elif not application.invoices.exists():
        raise InvalidInput("请上传发票", "invoices")
    if voucher.status not in (Voucher.Status.ACTIVE, Voucher.Status.USED_UP) or voucher.valid_until < today:
        raise InsufficientVoucher(f"创新券{voucher.number}已失效，不能提交")
    recompute_total(application)

    round_no = _round_key(application)
    base = f"redemption:{application.pk}:r{round_no}"
    # Orders enter 兑付中 and their holds move to the application.
    for line in lines:
        order = line.order
        action = ORDER_ENTER_ACTIONS.get(order.status)
        if action is None:
            raise InvalidTransition(f"订单{order.number}当前状态为“{order.get_status_display()}”，不能申请兑付")
        move_order(order.pk, action, actor=actor, note=f"加入兑付申请{application.number}")
        held = held_for(voucher.pk, "order", order.pk)
        if held > 0:
            transfer_hold(
                voucher.pk,
                held,
                ("order", order.pk),
                (CAUSE, application.pk),
                key=f"{base}:order:{order.pk}",
                actor=actor,
            )
    voucher.refresh_from_db()
    held = held_for(voucher.pk, CAUSE, application.pk)
    redeem = voucher_share(application.service_total, application.policy.subsidy_ratio, voucher.remaining_amount + held)
    if redeem <= 0:
        raise InsufficientVoucher(f"创新券{voucher.number}剩余金额为0，不能提交兑付申请")
    try:
        if redeem > held:
            voucher_hold(
                voucher.pk, redeem - held, cause_type=CAUSE, cause_id=application.pk, key=f"{base}:hold", actor=actor
            )
        elif redeem < held:
            voucher_release(
                voucher.pk, held - redeem, cause_type=CAUSE, cause_id=application.pk, key=f"{base}:trim", actor=actor
            )
    except VoucherError as error:
        raise InsufficientVoucher(str(error)) from None
    application.redeem_amount = redeem
    application.submitted_at = timezone.now()
    application.reason = ""
    move(application, "submit", actor, f"服务总金额{application.service_total}元，兑现金额{redeem}元")
    tell_applicant(application, f"您的兑付申请{application.number}已提交，兑现金额{redeem}元，等待专家评审")
    tell_admins(application, f"{application.enterprise.name}提交了兑付申请{application.number}，请指派专家评审")
    return application


# --- 通兑: the institution's claim --------------------------------------------------------------------


def on_tongdui_agreed(order: Order) -> RedemptionApplication:
    """ORDER_TONGDUI_AGREED_HOOKS: called inside the buyer's 同意兑付 transaction. Creates
    the institution's claim (paid to the institution), moves 申请兑付金额 of the order's
    hold to it, releases the rest of the order's hold, and submits it (待专家评审)."""
    existing = (
        RedemptionApplication.objects.filter(kind=Kind.CLAIM, lines__order=order, lines__is_open=True)
        .select_related("enterprise")
        .first()
    )
    if existing is not None:
        return existing
    voucher = Voucher.objects.select_for_update().get(pk=order.voucher_id)
    enterprise = order.enterprise
    policy = order.policy or (enterprise.region.policy_on(timezone.localdate()) if enterprise.region_id else None)
    if policy is None:
        raise InvalidTransition("买家所在区域尚未设置政策，不能兑付")
    held = held_for(voucher.pk, "order", order.pk)
    amount = min(order.redemption_amount or ZERO, held)
    if amount <= 0:
        raise InvalidTransition(f"订单{order.number}没有可兑付的券额度")
    application = RedemptionApplication.objects.create(
        kind=Kind.CLAIM,
        enterprise=enterprise,
        voucher=voucher,
        policy=policy,
        institution_id=order.institution_id,
        category_id=order.category_id,
        service_total=order.amount or amount,
        redeem_amount=amount,
        created_by=order.buyer,
    )
    history(application, action="同意兑付", actor=None, note=f"订单{order.number}", from_status="")
    ApplicationOrder.objects.create(application=application, order=order, amount=order.amount or amount)
    base = f"redemption:{application.pk}:claim"
    transfer_hold(voucher.pk, amount, ("order", order.pk), (CAUSE, application.pk), key=f"{base}:transfer")
    rest = held - amount
    if rest > 0:
        voucher_release(voucher.pk, rest, cause_type="order", cause_id=order.pk, key=f"{base}:order-rest")
    application.submitted_at = timezone.now()
    move(application, "submit", None, f"买家同意兑付订单{order.number}，申请兑付金额{amount}元")
    tell_applicant(application, f"订单{order.number}的兑付申请已进入评审，兑现金额{amount}元")
    tell_admins(application, f"{order.institution_name}的机构兑付申请{application.number}待指派专家评审")
    return application


# --- experts -------------------------------------------------------------------------------------------


@transaction.atomic
def assign_experts(application_id, expert_ids, *, actor) -> list[ExpertAssignment]:
    """The regional administrator assigns one or more experts (users with role 专家)."""
    application = lock_application(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权指派专家")
    if application.status != Status.EXPERT_REVIEW:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能指派专家")
    ids = {pk_or_error(pk, "专家") for pk in expert_ids or []}
    experts = list(User.objects.filter(pk__in=ids, role=User.Role.EXPERT, is_active=True))
    if not experts or len(experts) != len(ids):
        raise InvalidInput("请选择专家（角色为专家的用户）", "experts")
    created = []
    for expert in experts:
        assignment, made = ExpertAssignment.objects.get_or_create(
            application=application, expert=expert, defaults={"assigned_by": actor_or_none(actor)}
        )
        if made:
            created.append(assignment)
            notify(
                expert,
                Message.Kind.REDEMPTION,
                f"您有待评审的兑付申请{application.number}（{application.enterprise.name}）",
                link=reverse("redemption:expert_review", args=[application.pk]),
            )
    names = "、".join(e.display_name for e in experts)
    history(application, action="指派专家", actor=actor, note=names)
    audit.record(
        "redemption.assign_experts",
        application,
        after={"experts": sorted(e.pk for e in experts), "new": sorted(a.expert_id for a in created)},
        region_id=application.enterprise.region_id,
        note=names,
        actor=actor_or_none(actor),
    )
    tell_applicant(application, f"您的兑付申请{application.number}已进入专家评审")
    return created


@transaction.atomic
def submit_review(application_id, *, expert, score, opinion, recommended_amount, no_conflict) -> ExpertAssignment:
    """An assigned expert's score, opinion, recommended amount and no-conflict
    declaration; when every assigned expert has scored → 待区域审核."""
    application = lock_application(application_id)
    assignment = (
        ExpertAssignment.objects.select_for_update()
        .filter(application=application, expert=expert if getattr(expert, "pk", None) else None)
        .first()
    )
    if assignment is None:
        raise NotAllowed("该兑付申请未指派给您")
    if application.status != Status.EXPERT_REVIEW:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能评审")
    if not no_conflict:
        raise InvalidInput("请声明与申请单位及服务机构无利益冲突", "no_conflict")
    try:
        score = int(str(score).strip())
    except (TypeError, ValueError):
        raise InvalidInput("评分应为0-100的整数", "score") from None
    if not 0 <= score <= 100:
        raise InvalidInput("评分应为0-100的整数", "score")
    opinion = clean_text(opinion, "评审意见", required=True, limit=500, field="opinion")
    amount = clean_money(recommended_amount, "建议金额", field="recommended_amount", allow_zero=True)
    if amount > application.redeem_amount:
        raise InvalidInput(f"建议金额不能超过兑现金额{application.redeem_amount}元", "recommended_amount")
    assignment.score = score
    assignment.opinion = opinion
    assignment.recommended_amount = amount
    assignment.no_conflict = True
    assignment.submitted_at = timezone.now()
    assignment.save()
    history(application, action="专家评审", actor=expert, note=f"{expert.display_name}：{score}分，建议金额{amount}元")
    if not application.assignments.filter(submitted_at__isnull=True).exists():
        move(application, "scored", expert, "全部专家已评审")
        tell_admins(application, f"兑付申请{application.number}专家评审已完成，请审核")
    return assignment


# --- the administrator's decisions --------------------------------------------------------------------


def approvable_amount(application: RedemptionApplication, *, held=None) -> Decimal:
    """The most 审核通过 may set as 核定金额: the 兑现金额, but never more than the application
    holds on its voucher; for an application whose amount was consumed before 异议成立
    reversed consumption, exactly that amount. approve_application enforces it; the
    admin's form shows it."""
    if application.consumed_amount > 0:
        return application.consumed_amount
    if held is None:
        held = held_for(application.voucher_id, CAUSE, application.pk)
    return min(application.redeem_amount, held)


@transaction.atomic
def approve_application(application_id, *, actor, amount, note="", today=None) -> RedemptionApplication:
    """审核通过 with 核定金额 ≤ 兑现金额: consumes it, releases the rest → 公示中."""
    today = today or timezone.localdate()
    application, voucher = _lock_for_money(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权审核该兑付申请")
    if application.status != Status.REGION_REVIEW:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能审核通过")
    amount = clean_money(amount, "核定金额", field="amount")
    note = clean_text(note, "审核意见", limit=500)
    base = _decision_key(application)
    held = held_for(voucher.pk, CAUSE, application.pk)
    if application.consumed_amount > 0:
        # Only an application whose objection was upheld before consumption could be
        # reversed (record_objection) gets here: its amount stays as consumed.
        if amount != approvable_amount(application, held=held):
            raise InvalidInput(
                f"该申请的核定金额{application.consumed_amount}元已从创新券中使用，重新审核通过时核定金额须保持不变",
                "amount",
            )
    else:
        # The two bounds of approvable_amount, each with its own message.
        if amount > application.redeem_amount:
            raise InvalidInput(f"核定金额不能超过兑现金额{application.redeem_amount}元", "amount")
        if amount > held:
            raise InsufficientVoucher(f"核定金额{amount}元超出该申请冻结的券额度{held}元")
        voucher_consume(
            voucher.pk, amount, cause_type=CAUSE, cause_id=application.pk, key=f"{base}:consume", actor=actor
        )
        if held - amount > 0:
            voucher_release(
                voucher.pk, held - amount, cause_type=CAUSE, cause_id=application.pk, key=f"{base}:rest", actor=actor
            )
        application.consumed_amount = amount
    application.approved_amount = amount
    application.decided_at = timezone.now()
    application.notice_start = today
    application.notice_end = today + timedelta(days=max(1, application.policy.notice_days) - 1)
    application.reason = note
    move(application, "approve", actor, f"核定金额{amount}元" + (f"；{note}" if note else ""))
    tell_applicant(
        application,
        f"您的兑付申请{application.number}审核通过，核定金额{amount}元，公示期{application.notice_start}至"
        f"{application.notice_end}",
    )
    return application


def _reason(reason) -> str:
    return clean_text(reason, "原因", required=True, limit=500, field="reason")


@transaction.atomic
def return_application(application_id, *, actor, reason) -> RedemptionApplication:
    """退回修改 (reason): releases the hold, the orders leave 兑付中 → 草稿."""
    application, _voucher = _lock_for_money(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权审核该兑付申请")
    reason = _reason(reason)
    if application.kind == Kind.CLAIM:
        raise InvalidTransition("机构兑付申请不能退回修改，请审核通过或审核不通过")
    if application.consumed_amount > 0:
        raise InvalidTransition("核定金额已从创新券中使用，不能退回修改")
    move(application, "return", actor, reason)
    _release_all(application, actor, f"redemption:{application.pk}:r{_round_key(application) - 1}:return")
    _orders_leave(application, actor, f"兑付申请{application.number}退回修改")
    application.reason = reason
    application.redeem_amount = ZERO
    application.decided_at = timezone.now()
    application.save(update_fields=["reason", "redeem_amount", "decided_at", "updated_at"])
    application.assignments.update(submitted_at=None)
    tell_applicant(application, f"您的兑付申请{application.number}被退回修改，原因：{reason}")
    return application


@transaction.atomic
def reject_application(application_id, *, actor, reason) -> RedemptionApplication:
    """审核不通过 (reason): releases the hold; orders and invoices are free again."""
    application, _voucher = _lock_for_money(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权审核该兑付申请")
    reason = _reason(reason)
    if application.consumed_amount > 0:
        raise InvalidTransition("核定金额已从创新券中使用，不能审核不通过")
    move(application, "reject", actor, reason)
    _release_all(application, actor, f"redemption:{application.pk}:reject")
    _orders_leave(application, actor, f"兑付申请{application.number}审核不通过")
    application.lines.update(is_open=False)
    application.invoices.update(is_claimed=False)
    application.reason = reason
    application.decided_at = timezone.now()
    application.save(update_fields=["reason", "decided_at", "updated_at"])
    tell_applicant(application, f"您的兑付申请{application.number}审核不通过，原因：{reason}")
    return application


# --- 公示 and 拨付 ----------------------------------------------------------------------------------


def end_notice_periods(today=None) -> int:
    """Beat task: 公示中 whose period has ended → 待拨付 (safe to run twice or at once)."""
    today = today or timezone.localdate()
    moved = 0
    due = RedemptionApplication.objects.filter(status=Status.NOTICE, notice_end__lt=today).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            application = (
                RedemptionApplication.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=Status.NOTICE, notice_end__lt=today)
                .first()
            )
            if application is None:
                continue
            move(application, "notice_end", None, "公示期满，无异议")
            tell_applicant(application, f"您的兑付申请{application.number}公示期满，等待拨付")
            moved += 1
    return moved


@transaction.atomic
def record_objection(application_id, *, actor, reason) -> RedemptionApplication:
    """异议成立 (regional admin, reason): 公示中 → 待区域审核. Nothing has been paid yet, so
    the 核定金额 consumed at approval is held for the application again (a "reverse"
    entry): the new review may approve less, 退回修改 or reject, releasing as usual."""
    application, voucher = _lock_for_money(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权处理异议")
    reason = _reason(reason)
    move(application, "objection", actor, reason)
    consumed = application.consumed_amount
    if consumed > 0:
        voucher_reverse_consume(
            voucher.pk,
            consumed,
            cause_type=CAUSE,
            cause_id=application.pk,
            key=f"{_decision_key(application)}:reverse",
            actor=actor,
        )
    application.consumed_amount = ZERO
    application.approved_amount = None
    application.notice_start = application.notice_end = None
    application.reason = reason
    application.save(
        update_fields=["consumed_amount", "approved_amount", "notice_start", "notice_end", "reason", "updated_at"]
    )
    tell_applicant(
        application,
        f"您的兑付申请{application.number}公示期间异议成立，核定金额{consumed}元已重新冻结，等待重新审核，原因：{reason}",
    )
    return application


def _disburse_one(application_id, *, actor, paid_on, bank_reference, batch, amount=None) -> Disbursement:
    application = lock_application(application_id)
    if not is_region_admin(actor, application):
        raise NotAllowed("您无权登记拨付")
    if application.status != Status.PENDING_PAYMENT:
        raise InvalidTransition(f"兑付申请{application.number}当前状态为“{application.get_status_display()}”，不能拨付")
    if amount not in (None, ""):
        amount = clean_money(amount, "拨付金额", field="amount")
        if amount != application.approved_amount:
            raise InvalidInput(f"拨付金额应等于核定金额{application.approved_amount}元", "amount")
    disbursement = Disbursement.objects.create(
        application=application,
        paid_on=paid_on,
        amount=application.approved_amount,
        bank_reference=bank_reference,
        batch=batch,
        recorded_by=actor_or_none(actor),
    )
    move(application, "disburse", actor, f"{paid_on} 拨付{application.approved_amount}元，流水号{bank_reference}")
    for line in application.lines.select_related("order"):
        if line.order.status == OrderStatus.REDEEMING:
            move_order(
                line.order_id, "redeemed", actor=actor_or_none(actor), note=f"兑付申请{application.number}已拨付"
            )
    application.lines.update(is_open=False)
    tell_applicant(application, f"您的兑付申请{application.number}已拨付{application.approved_amount}元（{paid_on}）")
    return disbursement


def _clean_disbursement(paid_on, bank_reference, batch):
    if paid_on in (None, ""):
        raise InvalidInput("请选择拨付日期", "paid_on")
    if paid_on > timezone.localdate():
        raise InvalidInput("拨付日期不能晚于今天", "paid_on")
    bank_reference = clean_text(bank_reference, "银行流水号", required=True, limit=64, field="bank_reference")
    batch = clean_text(batch, "拨付批次", limit=64, field="batch")
    return bank_reference, batch


@transaction.atomic
def disburse(application_id, *, actor, paid_on, bank_reference, batch="", amount=None) -> Disbursement:
    """拨付 recorded (date, amount = 核定金额, bank reference) → 已拨付; orders 已兑付."""
    bank_reference, batch = _clean_disbursement(paid_on, bank_reference, batch)
    return _disburse_one(
        application_id, actor=actor, paid_on=paid_on, bank_reference=bank_reference, batch=batch, amount=amount
    )


@transaction.atomic
def disburse_batch(application_ids, *, actor, paid_on, bank_reference, batch="") -> list[Disbursement]:
    """A batch: all or nothing, in id order (stable lock order)."""
    bank_reference, batch = _clean_disbursement(paid_on, bank_reference, batch)
    ids = sorted({pk_or_error(pk) for pk in application_ids})
    if not ids:
        raise InvalidInput("请选择兑付申请")
    return [_disburse_one(pk, actor=actor, paid_on=paid_on, bank_reference=bank_reference, batch=batch) for pk in ids]
