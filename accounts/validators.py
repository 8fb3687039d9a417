"""Validators for personal identifiers, shared by every app that takes them.

证件号码 (resident ID, GB 11643): python-stdnum's ``cn.ric`` gives the check digit and the
date parsing; ``validate()`` alone is not used because it accepts future birth dates and
refuses real IDs whose area code is newer than the birth year (LIBRARY_NOTES).
手机号码: a mainland number of 11 digits typed without +86.
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def normalize_id_number(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised 18-character ID or raise a ValidationError in Chinese."""
    number = normalize_id_number(value)
    if not _ID_RE.match(number):
        raise ValidationError("证件号码应为18位居民身份证号码（最后一位可以是数字或X）。", code="id_format")
    if ric.calc_check_digit(number[:17]) != number[17]:
        raise ValidationError("证件号码校验位不正确，请核对后重新输入。", code="id_checksum")
    try:
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("证件号码中的出生日期无效。", code="id_birth")
    today = timezone.localdate()
    if birth > today or birth.year < 1900:
        raise ValidationError("证件号码中的出生日期无效（不能晚于今天）。", code="id_birth")
    if number[:2] == "00":
        raise ValidationError("证件号码中的地区码无效。", code="id_area")
    return number


def birth_date_from_id(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def normalize_mobile(value: str) -> str:
    number = re.sub(r"[\s-]", "", value or "")
    return number


def validate_mobile(value: str) -> str:
    """Return the 11-digit mainland mobile number or raise a ValidationError in Chinese."""
    number = normalize_mobile(value)
    if number.startswith("+86") or (number.startswith("86") and len(number) == 13):
        raise ValidationError("请直接输入11位手机号码，不要加+86。", code="mobile_prefix")
    if not MOBILE_RE.match(number):
        raise ValidationError("请输入正确的11位手机号码。", code="mobile_format")
    return number
