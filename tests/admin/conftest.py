"""Fixtures of the redemption tests, reused by the audit tests of redemption decisions."""

from tests.redemption.conftest import expert, qpu_admin, qpu_buyer, qpu_item, qpu_voucher  # noqa: F401
