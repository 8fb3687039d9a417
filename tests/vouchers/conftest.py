import datetime
from decimal import Decimal

import pytest

from enterprises.selectors import enterprise_for_user
from tests.factories import make_programme

BASIC_INFO = {
    "legal_representative": "张三",
    "established_on": datetime.date(2015, 5, 1),
    "registered_capital": Decimal("1000.00"),
    "industry": "软件和信息技术服务业",
    "employees": 50,
    "rd_staff": 12,
    "last_year_revenue": Decimal("3000.00"),
    "last_year_rd_spend": Decimal("300.00"),
    "contact_person": "张三",
    "contact_phone": "13912345678",
    "address": "苏州市吴江区中山南路1号",
    "introduction": "专注工业软件研发的科技型中小企业。",
}


def complete_basic_info(enterprise):
    for name, value in BASIC_INFO.items():
        setattr(enterprise, name, value)
    enterprise.save()
    return enterprise


@pytest.fixture
def wujiang_programme(db):
    return make_programme("WJI", budget="1000000.00", max_amount="500000.00")


@pytest.fixture
def ready_buyer(buyer_a):
    """buyer_a with complete 基本信息 (吴江区, 通兑)."""
    complete_basic_info(enterprise_for_user(buyer_a))
    return buyer_a
