"""Shared pieces of the redemption services: input cleaning, actors, recipients, locks and
the one status-move function ``_move`` (table ``redemption.models.TRANSITIONS``)."""

from decimal import Decimal, InvalidOperation

from django.urls import reverse
from django.utils import timezone

from accounts import audit
from catalog.models import InstitutionStaff
from enterprises.models import EnterpriseMember, RegionAdministrator
from enterprises.selectors import administered_region_ids
from messaging.models import Message
from messaging.services import notify
from redemption.exceptions import InvalidInput, InvalidTransition, NotAllowed, OutsideWindow
from redemption.models import TEXT_LIMIT, TRANSITIONS, ApplicationStatusChange, Kind, RedemptionApplication
from vouchers.money import round_money

MAX_MONEY = Decimal("1000000000000")


def clean_money(value, what: str = "金额", *, field: str | None = None, allow_zero: bool = False) -> Decimal:
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(f"请输入正确的{what}", field) from None
    if not amount.is_finite():
        raise InvalidInput(f"请输入正确的{what}", field)
    if amount != round_money(amount):
        raise InvalidInput(f"{what}最多两位小数", field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise InvalidInput(f"{what}必须大于0", field)
    if amount >= MAX_MONEY:
        raise InvalidInput(f"{what}过大", field)
    return round_money(amount)


def clean_text(value, what: str, *, required: bool = False, limit: int = TEXT_LIMIT, field: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{what}", field)
    if len(value) > limit:
        raise InvalidInput(f"{what}不能超过{limit}个字", field)
    return value


def window_blocker(policy, today=None) -> str:
    """The clear message when today is outside the policy's 兑付周期 ("" inside it)."""
    if policy is None:
        return "贵单位所在区域尚未设置兑付政策"
    if policy.in_redemption_window(today or timezone.localdate()):
        return ""
    start = policy.redemption_window_start.isoformat() if policy.redemption_window_start else "不限"
    end = policy.redemption_window_end.isoformat() if policy.redemption_window_end else "不限"
    return f"当前不在{policy.region.name}的兑付周期内（兑付周期：{start} 至 {end}），暂不能新增或提交兑付申请"


def require_window(policy, today=None) -> None:
    message = window_blocker(policy, today)
    if message:
        raise OutsideWindow(message)


# --- actors ---------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(user and getattr(user, "is_authenticated", False) and user.is_active)


def is_applicant(user, application: RedemptionApplication) -> bool:
    """The enterprise's users (通用 / 快速兑付) or the institution's staff (通兑 claim)."""
    if not _active(user):
        return False
    if application.kind == Kind.CLAIM:
        return InstitutionStaff.objects.filter(user=user, institution_id=application.institution_id).exists()
    return EnterpriseMember.objects.filter(user=user, enterprise_id=application.enterprise_id).exists()


def is_region_admin(user, application: RedemptionApplication) -> bool:
    if not (_active(user) and user.is_staff):
        return False
    if user.is_superuser:
        return True
    region_id = application.enterprise.region_id
    return bool(region_id and region_id in administered_region_ids(user))


def is_assigned_expert(user, application: RedemptionApplication) -> bool:
    return _active(user) and application.assignments.filter(expert=user).exists()


ACTOR_CHECKS = {"applicant": is_applicant, "admin": is_region_admin, "expert": is_assigned_expert}


# --- recipients ---------------------------------------------------------------------------


def applicant_recipients(application: RedemptionApplication) -> list:
    users = {}
    if application.kind == Kind.CLAIM:
        rows = InstitutionStaff.objects.filter(institution_id=application.institution_id).select_related("user")
        for row in rows:
            if row.user.is_active:
                users[row.user_id] = row.user
        return list(users.values())
    if application.created_by_id and application.created_by.is_active:
        users[application.created_by_id] = application.created_by
    for member in EnterpriseMember.objects.filter(
        enterprise_id=application.enterprise_id, is_admin=True
    ).select_related("user"):
        if member.user.is_active:
            users.setdefault(member.user_id, member.user)
    return list(users.values())


def admin_recipients(application: RedemptionApplication) -> list:
    region_id = application.enterprise.region_id
    if not region_id:
        return []
    rows = RegionAdministrator.objects.filter(region_id=region_id).select_related("user")
    return [row.user for row in rows if row.user.is_active]


def applicant_link(application: RedemptionApplication) -> str:
    if application.kind == Kind.CLAIM:
        return reverse("redemption:claim_list")
    return application.get_absolute_url()


def admin_link(application: RedemptionApplication) -> str:
    return reverse("admin:redemption_redemptionapplication_change", args=[application.pk])


def tell_applicant(application: RedemptionApplication, text: str) -> None:
    kind = Message.Kind.INSTITUTION_REDEMPTION if application.kind == Kind.CLAIM else Message.Kind.REDEMPTION
    for user in applicant_recipients(application):
        notify(user, kind, text, link=applicant_link(application))


def tell_admins(application: RedemptionApplication, text: str) -> None:
    for user in admin_recipients(application):
        notify(user, Message.Kind.REDEMPTION, text, link=admin_link(application))


# --- locks and the one move function -----------------------------------------------------------


def pk_or_error(value, what: str = "兑付申请") -> int:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what}不存在") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise InvalidInput(f"{what}不存在")
    return pk


def lock_application(application_id) -> RedemptionApplication:
    pk = pk_or_error(application_id)
    application = (
        RedemptionApplication.objects.select_for_update(of=("self",))
        .select_related("enterprise", "enterprise__region", "policy", "voucher", "created_by")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        raise InvalidInput("兑付申请不存在")
    return application


def move(application: RedemptionApplication, action: str, actor, note: str = "") -> RedemptionApplication:
    """Check ``action`` in the table and the actor, change the status, write the history
    row. The caller holds the row lock."""
    step = TRANSITIONS.get(action)
    if step is None:
        raise InvalidTransition("不支持的操作")
    if step.source != application.status:
        raise InvalidTransition(f"兑付申请当前状态为“{application.get_status_display()}”，不能{step.action}")
    check = ACTOR_CHECKS.get(step.actor)
    if check is not None and not (application.kind == Kind.CLAIM and actor is None and action == "submit"):
        if not check(actor, application):
            raise NotAllowed(f"您无权对该兑付申请执行“{step.action}”")
    from_status = application.status
    application.status = step.target
    application.save()
    history(application, action=step.action, actor=actor, note=note, from_status=from_status)
    audit.record(
        f"redemption.{action}",
        application,
        before={"status": from_status},
        after={
            "status": step.target,
            "redeem_amount": application.redeem_amount,
            "approved_amount": application.approved_amount,
        },
        region_id=application.enterprise.region_id,
        note=note,
        actor=actor_or_none(actor),
    )
    return application


def history(application, *, action: str, actor, note: str = "", from_status: str | None = None):
    return ApplicationStatusChange.objects.create(
        application=application,
        from_status=application.status if from_status is None else from_status,
        to_status=application.status,
        action=action[:20],
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=(note or "")[:500],
    )


def actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None
