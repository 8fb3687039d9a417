"""Domain errors of the redemption app. ``str(error)`` is the Chinese message the UI shows."""


class RedemptionError(Exception):
    default_message = "操作失败"

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message or self.default_message)
        self.field = field

    @property
    def message(self) -> str:
        return str(self)


class InvalidTransition(RedemptionError):
    default_message = "当前兑付申请状态不允许此操作"


class NotAllowed(RedemptionError):
    default_message = "您无权执行此操作"


class InvalidInput(RedemptionError):
    default_message = "输入有误"


class InvoiceRuleViolation(RedemptionError):
    """One of the four order–invoice rules of DESIGN §7 (the message names it and the order)."""

    default_message = "订单与发票的对应关系不符合规定"


class OutsideWindow(RedemptionError):
    default_message = "当前不在兑付周期内"


class InsufficientVoucher(RedemptionError):
    default_message = "创新券剩余金额不足"
