"""创新券申请: submit, resubmit after 退回修改, and the regional review (通过 / 驳回 / 退回修改).

One function moves an application's status (``_move``): it checks the table next to the
model and writes the history row. Approval locks the application row, so two
administrators approving at once issue exactly one voucher."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts import audit
from enterprises.models import Enterprise, RegionPolicy
from messaging.models import Message
from messaging.services import notify
from vouchers.exceptions import ApplicationNotAllowed, InvalidAmount, InvalidTransition, VoucherError
from vouchers.models import Voucher, VoucherApplication, VoucherApplicationStatusChange, VoucherProgramme
from vouchers.money import ZERO
from vouchers.services.ledger import clean_amount, enterprise_recipients, issue_voucher

Status = VoucherApplication.Status


def apply_blocker(enterprise: Enterprise | None) -> str | None:
    """Why this enterprise cannot apply here (a Chinese sentence), or None."""
    if enterprise is None:
        return "您的账号尚未关联企业，不能申领创新券。"
    if enterprise.region_id is None:
        return "只有注册在试点区域的企业可以申领、使用创新券。"
    policy = enterprise.region.current_policy
    if policy is None:
        return "所在试点区域尚未发布创新券政策。"
    if policy.voucher_source == RegionPolicy.VoucherSource.IMPORTED:
        return f"{enterprise.region.name}的用户请在外部平台申领创新券。"
    if not enterprise.basic_info_complete:
        return "企业用户必须先完善企业基本信息，才能申领创新券。"
    return None


def _move(application: VoucherApplication, to_status: str, *, actor, note: str = "") -> None:
    if to_status not in VoucherApplication.TRANSITIONS[application.status]:
        raise InvalidTransition(
            f"申请当前状态为“{application.get_status_display()}”，不能变为“{Status(to_status).label}”"
        )
    VoucherApplicationStatusChange.objects.create(
        application=application,
        from_status=application.status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note[:500],
    )
    verb = {Status.APPROVED: "approve", Status.REJECTED: "reject", Status.RETURNED: "return"}.get(to_status, "resubmit")
    audit.record(
        f"voucher_application.{verb}",
        application,
        before={"status": application.status},
        after={"status": to_status},
        region_id=application.programme.region_id,
        note=note,
        actor=actor,
    )
    application.status = to_status


def _lock_application(application_id) -> VoucherApplication:
    try:
        return (
            VoucherApplication.objects.select_for_update(of=("self",))
            .select_related("programme", "programme__region", "policy", "enterprise")
            .get(pk=application_id)
        )
    except (VoucherApplication.DoesNotExist, ValueError, TypeError):
        raise VoucherError("创新券申请不存在") from None


def _check_request(enterprise, programme: VoucherProgramme, requested, declaration: bool):
    blocker = apply_blocker(enterprise)
    if blocker:
        raise ApplicationNotAllowed(blocker)
    if programme.region_id != enterprise.region_id:
        raise ApplicationNotAllowed("只能申领本区域的创新券项目。")
    if not programme.is_open_on(timezone.localdate()):
        window = f"{programme.apply_start}至{programme.apply_end}"
        raise ApplicationNotAllowed(f"“{programme.title}”不在申领时间内（{window}）。")
    try:
        amount = clean_amount(requested)
    except InvalidAmount:
        raise InvalidAmount("申请金额必须大于0，且最多两位小数") from None
    if amount > programme.max_amount:
        raise InvalidAmount(f"申请金额不能超过单张面额上限{programme.max_amount}元")
    if not declaration:
        raise ApplicationNotAllowed("请阅读并勾选承诺声明。")
    return amount


def submit_application(
    *,
    enterprise: Enterprise,
    programme_id,
    requested_amount,
    intended_services: str,
    expected_results: str,
    declaration: bool,
    actor,
) -> VoucherApplication:
    """The enterprise applies for a programme of its region (one open application each)."""
    with transaction.atomic():
        try:
            programme = VoucherProgramme.objects.select_related("region").get(pk=programme_id)
        except (VoucherProgramme.DoesNotExist, ValueError, TypeError):
            raise ApplicationNotAllowed("请选择本区域的创新券项目。") from None
        amount = _check_request(enterprise, programme, requested_amount, declaration)
        if VoucherApplication.objects.filter(
            enterprise=enterprise, programme=programme, status__in=[Status.PENDING, Status.RETURNED, Status.APPROVED]
        ).exists():
            raise ApplicationNotAllowed("您已申请过该创新券项目，不能重复申请。")
        try:
            with transaction.atomic():
                application = VoucherApplication.objects.create(
                    enterprise=enterprise,
                    programme=programme,
                    policy=enterprise.region.current_policy,
                    requested_amount=amount,
                    intended_services=intended_services,
                    expected_results=expected_results,
                    declaration=True,
                    applicant=actor,
                )
        except IntegrityError:
            raise ApplicationNotAllowed("您已申请过该创新券项目，不能重复申请。") from None
        VoucherApplicationStatusChange.objects.create(
            application=application, from_status="", to_status=Status.PENDING, actor=actor, note="提交申请"
        )
        audit.record(
            "voucher_application.submit",
            application,
            after={"status": Status.PENDING, "requested_amount": amount},
            region_id=programme.region_id,
            actor=actor,
        )
        return application


def resubmit_application(
    application_id,
    *,
    enterprise: Enterprise,
    requested_amount,
    intended_services: str,
    expected_results: str,
    declaration: bool,
    actor,
) -> VoucherApplication:
    """退回修改 → 待审核 with the corrected form (only the applicant's enterprise)."""
    with transaction.atomic():
        application = _lock_application(application_id)
        if application.enterprise_id != enterprise.pk:
            raise VoucherError("创新券申请不存在")
        if application.status != Status.RETURNED:
            raise InvalidTransition("只有退回修改的申请可以修改后重新提交")
        amount = _check_request(enterprise, application.programme, requested_amount, declaration)
        application.requested_amount = amount
        application.intended_services = intended_services
        application.expected_results = expected_results
        application.policy = enterprise.region.current_policy
        _move(application, Status.PENDING, actor=actor, note="修改后重新提交")
        application.submitted_at = timezone.now()
        application.save()
        return application


def granted_this_year(enterprise_id, year: int, exclude_application_id=None) -> Decimal:
    """What the enterprise has already been granted in ``year`` (vouchers not voided)."""
    qs = Voucher.objects.filter(enterprise_id=enterprise_id, year=year).exclude(status=Voucher.Status.VOID)
    if exclude_application_id:
        qs = qs.exclude(application_id=exclude_application_id)
    return qs.aggregate(total=Sum("issued_amount"))["total"] or ZERO


def approve_application(application_id, *, granted_amount, actor, note: str = "") -> Voucher:
    """通过: issue the voucher of the granted amount (≤ requested, ≤ the programme's face
    value, ≤ the policy's annual cap minus what the enterprise already got this year)."""
    with transaction.atomic():
        application = _lock_application(application_id)
        _move(application, Status.APPROVED, actor=actor, note=note or "审核通过")  # checks the table first
        try:
            amount = clean_amount(granted_amount)
        except InvalidAmount:
            raise InvalidAmount("核定金额必须大于0，且最多两位小数") from None
        programme = application.programme
        if amount > application.requested_amount:
            raise InvalidAmount(f"核定金额不能超过申请金额{application.requested_amount}元")
        if amount > programme.max_amount:
            raise InvalidAmount(f"核定金额不能超过单张面额上限{programme.max_amount}元")
        # Lock the enterprise row: two approvals of one enterprise's applications (other
        # programmes) cannot both slip under the annual cap.
        Enterprise.objects.select_for_update().filter(pk=application.enterprise_id).first()
        left = application.policy.annual_cap - granted_this_year(application.enterprise_id, programme.year)
        if amount > left:
            raise InvalidAmount(f"超出每家企业年度上限：本年度还可核定{max(left, ZERO)}元")
        policy = application.policy
        valid_until = min(
            timezone.localdate() + datetime.timedelta(days=policy.voucher_validity_days),
            datetime.date(programme.year, 12, 31),
        )
        voucher = issue_voucher(
            programme_id=programme.pk,
            enterprise=application.enterprise,
            amount=amount,
            cause_type="application",
            cause_id=application.pk,
            key=f"issue:application:{application.pk}",
            valid_until=valid_until,
            actor=actor,
            application=application,
        )
        application.granted_amount = amount
        application.reason = note[:500]
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        for user in enterprise_recipients(application.enterprise_id):
            notify(
                user,
                Message.Kind.VOUCHER_APPLICATION,
                f"您申请的科技券({voucher.kind_label}: {voucher.number})已经审核通过, 请查看结果!!",
                link=voucher.get_absolute_url(),
            )
        return voucher


def _decide_with_reason(application_id, to_status, *, reason: str, actor, text: str) -> VoucherApplication:
    reason = (reason or "").strip()
    if not reason:
        raise VoucherError("请填写原因")
    with transaction.atomic():
        application = _lock_application(application_id)
        _move(application, to_status, actor=actor, note=reason)
        application.reason = reason[:500]
        application.decided_at = timezone.now()
        application.decided_by = actor
        application.save()
        from django.urls import reverse

        for user in enterprise_recipients(application.enterprise_id):
            notify(
                user,
                Message.Kind.VOUCHER_APPLICATION,
                text.format(title=application.programme.title, reason=reason),
                link=reverse("vouchers:application_detail", args=[application.pk]),
            )
        return application


def reject_application(application_id, *, reason: str, actor) -> VoucherApplication:
    """驳回 (final), with the reason."""
    return _decide_with_reason(
        application_id,
        Status.REJECTED,
        reason=reason,
        actor=actor,
        text="您申请的科技券({title})未通过审核, 原因: {reason}!!",
    )


def return_application(application_id, *, reason: str, actor) -> VoucherApplication:
    """退回修改: the enterprise corrects it and submits again."""
    return _decide_with_reason(
        application_id,
        Status.RETURNED,
        reason=reason,
        actor=actor,
        text="您申请的科技券({title})被退回修改, 原因: {reason}, 请修改后重新提交!!",
    )
