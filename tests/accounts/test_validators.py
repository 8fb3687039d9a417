import datetime

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import ric, uscc

from accounts.validators import validate_id_number, validate_mobile
from enterprises.validators import validate_uscc
from tests.factories import valid_id_number


def _id(area: str, birth: str, seq: str = "123") -> str:
    body = area + birth + seq
    return body + ric.calc_check_digit(body)


def test_manual_sample_id_has_a_wrong_check_digit():
    with pytest.raises(ValidationError) as info:
        validate_id_number("500101198401133397")
    assert "校验位" in info.value.messages[0]
    # The same number with its correct check digit is accepted.
    assert validate_id_number("500101198401133392") == "500101198401133392"


def test_real_check_digit_cases():
    assert validate_id_number(valid_id_number(1)) == valid_id_number(1)
    # X check digit, typed in lower case
    body = next(b for b in (f"11010519491231{n:03d}" for n in range(1000)) if ric.calc_check_digit(b) == "X")
    assert validate_id_number(body + "x") == body + "X"


def test_newer_area_code_than_birth_year_is_accepted():
    # 浦东新区 (310115) was created in 1992; people born before still carry its code.
    number = _id("310115", "19800101")
    assert validate_id_number(number) == number


def test_future_birth_date_is_refused():
    future = (datetime.date.today() + datetime.timedelta(days=30)).strftime("%Y%m%d")
    with pytest.raises(ValidationError) as info:
        validate_id_number(_id("320509", future))
    assert "出生日期" in info.value.messages[0]


@pytest.mark.parametrize("value", ["32050919840230123X", "1234", "32050919840113123A", ""])
def test_bad_id_formats_and_dates(value):
    if len(value) == 18 and value[-1] == "X":
        value = value[:17] + ric.calc_check_digit(value[:17])
    with pytest.raises(ValidationError):
        validate_id_number(value)


def test_uscc_check_digit():
    body = "91320509MA1X00010"
    good = body + uscc.calc_check_digit(body)
    assert validate_uscc(good.lower()) == good
    wrong = body + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as info:
        validate_uscc(wrong)
    assert "校验位" in info.value.messages[0]
    with pytest.raises(ValidationError):
        validate_uscc("91320509MA1X0001")  # too short
    with pytest.raises(ValidationError):
        validate_uscc("91320509MA1X0O01" + "0X")  # letter O is not allowed


def test_real_published_uscc():
    # 华为技术有限公司 and 阿里巴巴（中国）有限公司 (published codes).
    assert validate_uscc("914403001922038216")
    assert validate_uscc("91330100799655058B")


@pytest.mark.parametrize("value", ["13800138000", " 138 0013 8000 ", "19912345678"])
def test_mobile_ok(value):
    assert validate_mobile(value) == value.replace(" ", "")


@pytest.mark.parametrize(
    "value,word", [("+8613800138000", "+86"), ("8613800138000", "+86"), ("1380013800", "11位"), ("12800138000", "11位")]
)
def test_mobile_refused(value, word):
    with pytest.raises(ValidationError) as info:
        validate_mobile(value)
    assert word in info.value.messages[0]
