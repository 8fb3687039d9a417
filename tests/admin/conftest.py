"""Fixtures of the orders and redemption tests, reused by the audit tests of their decisions."""

from tests.orders.conftest import item, voucher_a  # noqa: F401
from tests.redemption.conftest import expert, qpu_admin, qpu_buyer, qpu_item, qpu_voucher  # noqa: F401
