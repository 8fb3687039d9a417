from decimal import Decimal

from django import forms

from vouchers.models import VoucherProgramme


class ProgrammeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: VoucherProgramme) -> str:
        return f"{obj.title}（{obj.kind_label}，单张面额上限 {obj.max_amount} 元，申领截止 {obj.apply_end}）"


class ApplicationForm(forms.Form):
    """创新券申请表 (manual §3.3)."""

    programme = ProgrammeChoiceField(
        label="选择创新券",
        queryset=VoucherProgramme.objects.none(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择创新券", "invalid_choice": "请选择本区域开放申领的创新券"},
    )
    requested_amount = forms.DecimalField(
        label="申请金额(元)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={
            "required": "请填写申请金额",
            "invalid": "请输入有效的金额",
            "min_value": "申请金额必须大于0",
            "max_decimal_places": "金额最多两位小数",
            "max_digits": "金额过大",
            "max_whole_digits": "金额过大",
        },
    )
    intended_services = forms.CharField(
        label="拟购买服务",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="拟向服务机构购买的专业服务，如检测、知识产权评估、大型仪器共享、研发服务等",
        error_messages={"required": "请填写拟购买服务", "max_length": "不能超过1000字"},
    )
    expected_results = forms.CharField(
        label="预期成效",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请填写预期成效", "max_length": "不能超过1000字"},
    )
    declaration = forms.BooleanField(
        label="本单位承诺所填信息真实、准确，创新券仅用于购买试点政策支持的专业服务，不转让、不套现。",
        error_messages={"required": "请阅读并勾选承诺声明"},
    )

    def __init__(self, *args, programmes=None, fixed_programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_programme is not None:
            del self.fields["programme"]
        else:
            self.fields["programme"].queryset = (
                programmes if programmes is not None else VoucherProgramme.objects.none()
            )


class DecisionForm(forms.Form):
    """The admin's review form: 通过 with the granted amount, or 驳回 / 退回修改 with a reason."""

    DECISIONS = [("approve", "通过"), ("reject", "驳回"), ("return", "退回修改")]

    decision = forms.ChoiceField(label="审核结果", choices=DECISIONS, widget=forms.RadioSelect)
    granted_amount = forms.DecimalField(
        label="核定金额(元)",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        error_messages={"invalid": "请输入有效的金额", "min_value": "核定金额必须大于0"},
    )
    reason = forms.CharField(
        label="审核意见 / 原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self):
        data = super().clean()
        decision = data.get("decision")
        if decision == "approve" and not data.get("granted_amount"):
            self.add_error("granted_amount", "请填写核定金额")
        if decision in ("reject", "return") and not (data.get("reason") or "").strip():
            self.add_error("reason", "请填写原因")
        return data


class ImportForm(forms.Form):
    programme = forms.ModelChoiceField(
        label="创新券项目",
        queryset=VoucherProgramme.objects.none(),
        error_messages={"required": "请选择创新券项目", "invalid_choice": "请选择可导入的创新券项目"},
    )
    file = forms.FileField(
        label="导入文件",
        help_text=(
            "CSV（UTF-8 或 GBK 编码）或 Excel .xlsx（第一个工作表）；"
            "列：统一社会信用代码、券号（可空）、金额、年度、有效期（如 2026-12-31）"
        ),
        error_messages={"required": "请选择文件", "empty": "文件为空"},
    )

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes if programmes is not None else VoucherProgramme.objects.none()
