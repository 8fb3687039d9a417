"""Every write of the redemption app (DESIGN §3, §4, §6, §7).

drafts: 新增 (通用 / 快速兑付), texts, 选择订单, 发票 (rules ①–④), 其它附件.
pipeline: 提交 (holds), 通兑 claims (ORDER_TONGDUI_AGREED_HOOKS), experts, 审核通过 (consume),
退回修改 / 审核不通过 (release), 公示 (beat task, 异议成立), 拨付 (single or batch).
"""

from redemption.services.common import window_blocker
from redemption.services.drafts import (
    SELECTABLE_ORDER_STATUSES,
    add_attachment,
    add_invoice,
    add_orders,
    amount_is_confirmed,
    check_invoice_rules,
    create_application,
    delete_attachment,
    delete_draft,
    delete_invoice,
    link_invoice,
    remove_order,
    save_texts,
    unlink_invoice,
    update_line_amount,
)
from redemption.services.pipeline import (
    approvable_amount,
    approve_application,
    assign_experts,
    disburse,
    disburse_batch,
    end_notice_periods,
    on_tongdui_agreed,
    record_objection,
    reject_application,
    return_application,
    submit_application,
    submit_review,
)

__all__ = [
    "SELECTABLE_ORDER_STATUSES",
    "add_attachment",
    "add_invoice",
    "add_orders",
    "amount_is_confirmed",
    "approvable_amount",
    "approve_application",
    "assign_experts",
    "check_invoice_rules",
    "create_application",
    "delete_attachment",
    "delete_draft",
    "delete_invoice",
    "disburse",
    "disburse_batch",
    "end_notice_periods",
    "link_invoice",
    "on_tongdui_agreed",
    "record_objection",
    "reject_application",
    "remove_order",
    "return_application",
    "save_texts",
    "submit_application",
    "submit_review",
    "unlink_invoice",
    "update_line_amount",
    "window_blocker",
]
