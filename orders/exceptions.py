"""Domain errors of the orders app. ``str(error)`` is the Chinese message the UI shows."""


class OrderError(Exception):
    default_message = "操作失败"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class InvalidTransition(OrderError):
    default_message = "当前订单状态不允许此操作"


class NotAllowed(OrderError):
    """The actor may not make this move on this order."""

    default_message = "您无权对该订单执行此操作"


class OrderingNotAllowed(OrderError):
    default_message = "当前不能下单"


class QuotaInsufficient(OrderError):
    default_message = "创新券剩余金额不足，无法确认额度"


class InvalidInput(OrderError):
    default_message = "输入有误"
