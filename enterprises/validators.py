"""统一社会信用代码 (GB 32100) validation, shared by every app that takes one."""

import re

from django.core.exceptions import ValidationError
from stdnum.cn import uscc

# 18 characters: registration authority (1), type (1), division (6 digits),
# organisation code (9 of digits and capital letters except I, O, S, V, Z), check digit.
_USCC_RE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def normalize_uscc(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_uscc(value: str) -> str:
    """Return the normalised code or raise a ValidationError in Chinese."""
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位。", code="uscc_length")
    if not _USCC_RE.match(code):
        raise ValidationError(
            "统一社会信用代码格式不正确（只能包含数字和大写字母，不含I、O、S、V、Z）。", code="uscc_format"
        )
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对后重新输入。", code="uscc_checksum")
    return code
