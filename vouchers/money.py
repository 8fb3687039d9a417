"""The one place money is rounded (DESIGN §3, §6): ROUND_HALF_UP to the fen."""

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def round_money(value) -> Decimal:
    """Round a Decimal (or int / str; never float) to the fen, half up."""
    if isinstance(value, float):
        raise TypeError("金额不能使用浮点数")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def voucher_share(amount, ratio, remaining) -> Decimal:
    """The voucher's share of a service amount: amount × ratio, rounded to the fen,
    capped by what remains on the voucher, never negative (manual: 6000 × 50% → 3000)."""
    share = round_money(Decimal(amount) * Decimal(ratio))
    return max(ZERO, min(share, round_money(remaining)))
