"""Every write of the orders app (DESIGN §3, §4, §6).

Each move is one transaction: lock the order row, check the move in the table of the
order's mode (orders.models), check the actor, change money through the voucher ledger,
write an ``OrderStatusChange`` row and the 站内信 (messaging.notify) in the same
transaction.

For the redemption app: ``move_order(order_id, action, actor=None, note="")`` performs the
"system" moves of 通用 orders (enter_redemption / enter_redemption_in_service /
enter_redemption_offline / leave_redemption / redeemed). After a buyer's 同意兑付 every
dotted path in ``settings.ORDER_TONGDUI_AGREED_HOOKS`` is called with the order inside the
same transaction.
"""

from orders.services.common import (
    CAUSE,
    admin_recipients,
    buyer_recipients,
    is_buyer,
    is_region_admin,
    is_seller,
    next_order_number,
    seller_recipients,
)
from orders.services.extras import DIFFERENCE_PARENT_STATUSES, create_difference_order, review_order
from orders.services.moves import (
    accept_order,
    agree_redemption,
    cancel_order,
    complete_service,
    confirm_quota,
    decline_order,
    move_order,
    quota_share,
    refuse_redemption,
    reject_quota,
    request_redemption,
    terminate_order,
)
from orders.services.placing import TONGDUI_FIELDS, place_order, usable_vouchers, voucher_blocker
from orders.services.reminders import remind_pending_accept, remind_pending_quota

__all__ = [
    "CAUSE",
    "DIFFERENCE_PARENT_STATUSES",
    "TONGDUI_FIELDS",
    "accept_order",
    "admin_recipients",
    "agree_redemption",
    "buyer_recipients",
    "cancel_order",
    "complete_service",
    "confirm_quota",
    "create_difference_order",
    "decline_order",
    "is_buyer",
    "is_region_admin",
    "is_seller",
    "move_order",
    "next_order_number",
    "place_order",
    "quota_share",
    "refuse_redemption",
    "reject_quota",
    "remind_pending_accept",
    "remind_pending_quota",
    "request_redemption",
    "review_order",
    "seller_recipients",
    "terminate_order",
    "usable_vouchers",
    "voucher_blocker",
]
