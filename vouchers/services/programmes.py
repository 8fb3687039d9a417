"""Voucher programmes: created and edited by the region's administrators in admin."""

from django.db import transaction

from accounts import audit
from vouchers.exceptions import BudgetExceeded, VoucherError
from vouchers.models import VoucherProgramme

_AUDITED = ("title", "region", "year", "kind", "total_budget", "budget_used", "max_amount", "apply_start", "apply_end")


def save_programme(programme: VoucherProgramme, *, actor=None) -> VoucherProgramme:
    """Create or update a programme. Its voucher type always follows the region's current
    policy; the budget can never drop below what is already drawn (row lock)."""
    with transaction.atomic():
        policy = programme.region.current_policy
        if policy is None:
            raise VoucherError(f"{programme.region}尚未发布区域政策，不能设立创新券项目")
        if programme.apply_end < programme.apply_start:
            raise VoucherError("申领截止日期不能早于开始日期")
        if programme.pk:
            locked = VoucherProgramme.objects.select_for_update().get(pk=programme.pk)
            if locked.region_id != programme.region_id and locked.vouchers.exists():
                raise VoucherError("已发放创新券的项目不能更改区域")
            if programme.total_budget < locked.budget_used:
                raise BudgetExceeded(f"总预算不能低于已使用预算{locked.budget_used}元")
            programme.budget_used = locked.budget_used
            if locked.vouchers.exists():
                programme.kind = locked.kind
            else:
                programme.kind = policy.mode
        else:
            programme.kind = policy.mode
            programme.budget_used = 0
        before = audit.snapshot(locked, _AUDITED) if programme.pk else None
        programme.save()
        audit.record(
            "voucher_programme.save",
            programme,
            before=before,
            after=audit.snapshot(programme, _AUDITED),
            region_id=programme.region_id,
            actor=actor,
        )
        return programme
