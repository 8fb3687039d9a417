import datetime

import pytest

from orders.services import next_order_number

pytestmark = pytest.mark.django_db


def test_numbers_use_shanghai_time_and_restart_each_day():
    utc = datetime.UTC
    # 2026-01-01 16:30 UTC is 2026-01-02 00:30 in Asia/Shanghai.
    late = datetime.datetime(2026, 1, 1, 16, 30, tzinfo=utc)
    assert next_order_number(late) == "CSJ-202601020030-000001"
    assert next_order_number(late) == "CSJ-202601020030-000002"
    # 2026-01-01 15:59 UTC is still 1 January in Shanghai: its own sequence.
    assert next_order_number(datetime.datetime(2026, 1, 1, 15, 59, tzinfo=utc)) == "CSJ-202601012359-000001"
    assert next_order_number(datetime.datetime(2026, 1, 2, 3, 0, tzinfo=utc)) == "CSJ-202601021100-000003"
