"""Domain errors of the vouchers app. Each carries a Chinese message the UI shows as is."""


class VoucherError(Exception):
    """Base class: ``str(error)`` is the Chinese message for the user."""

    default_message = "操作失败"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message)

    @property
    def message(self) -> str:
        return str(self)


class InsufficientBalance(VoucherError):
    default_message = "券剩余金额不足"


class HoldExceeded(VoucherError):
    """A release or consume larger than what the cause holds on the voucher."""

    default_message = "超出该业务在创新券上的冻结金额"


class CauseHoldsOtherVoucher(VoucherError):
    default_message = "该业务已在另一张创新券上冻结金额"


class VoucherNotUsable(VoucherError):
    default_message = "创新券当前状态不可使用"


class IdempotencyConflict(VoucherError):
    default_message = "同一幂等键已用于另一笔不同的操作"


class InvalidTransition(VoucherError):
    default_message = "当前状态不允许此操作"


class InvalidAmount(VoucherError):
    default_message = "金额必须大于0，且最多两位小数"


class ApplicationNotAllowed(VoucherError):
    default_message = "当前不能申领创新券"


class BudgetExceeded(VoucherError):
    default_message = "超出区域创新券项目预算"


class ImportFileError(VoucherError):
    """Bad import file; ``errors`` lists one Chinese message per bad row."""

    default_message = "导入文件有误，未导入任何数据"

    def __init__(self, message: str | None = None, errors: list[str] | None = None):
        super().__init__(message)
        self.errors = errors or []
