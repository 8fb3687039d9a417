"""Forms of the order pages. They only check the shape of the input; the rules live in
orders.services (its domain errors are shown next to the fields)."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from config.uploads import clean_attachment, clean_image, safe_display_name
from orders.models import Order
from orders.services import TONGDUI_FIELDS

MONEY_FIELD = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0.01")}
MONEY_ERRORS = {
    "invalid": "请输入正确的金额",
    "max_digits": "金额过大",
    "max_decimal_places": "金额最多两位小数",
    "max_whole_digits": "金额过大",
    "min_value": "金额必须大于0",
    "required": "请填写金额",
}


class OrderForm(forms.Form):
    """立即下单: a voucher (or 无券), the quantity and, for 通兑, the service needs."""

    voucher = forms.ChoiceField(label="创新券", required=False)
    quantity = forms.IntegerField(
        label="数量",
        min_value=1,
        max_value=9999,
        initial=1,
        error_messages={
            "required": "请填写数量",
            "invalid": "请输入正确的数量",
            "min_value": "数量至少为1",
            "max_value": "数量不能超过9999",
        },
    )
    project_info = forms.CharField(
        label="项目信息", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    contact_info = forms.CharField(
        label="联系信息", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    basic_situation = forms.CharField(
        label="基本情况", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    demand = forms.CharField(
        label="需求或自主研发项目", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_results = forms.CharField(
        label="预计成效", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, vouchers=(), tongdui: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.tongdui = tongdui
        self.vouchers = {str(v.pk): v for v in vouchers}
        self.fields["voucher"].choices = [("", "无券下单")] + [
            (str(v.pk), f"{v.number}（{v.kind_label}，券剩余金额{v.remaining_amount}元）") for v in vouchers
        ]
        for name in TONGDUI_FIELDS:
            self.fields[name].error_messages["max_length"] = f"{self.fields[name].label}不能超过%(limit_value)d个字"

    def clean(self):
        data = super().clean()
        if data.get("voucher") and self.tongdui:
            for name, label in TONGDUI_FIELDS.items():
                if not (data.get(name) or "").strip():
                    self.add_error(name, f"请填写{label}")
        return data


class AcceptForm(forms.Form):
    amount = forms.DecimalField(label="服务金额(元)", required=False, error_messages=MONEY_ERRORS, **MONEY_FIELD)

    def __init__(self, *args, order: Order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        if order.price_type == "negotiable":
            self.fields["amount"].required = True
        else:
            self.fields["amount"].disabled = True
            self.fields["amount"].initial = order.amount


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="原因",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写原因", "max_length": "原因不能超过500个字"},
    )


class RedeemForm(forms.Form):
    """申请兑付 (通兑): the amount, the service result proof and the invoice image."""

    amount = forms.DecimalField(label="申请兑付金额(元)", error_messages=MONEY_ERRORS, **MONEY_FIELD)
    proof = forms.FileField(
        label="服务结果证明",
        help_text="如检测报告；pdf/doc/docx/jpg/png/zip/rar，不超过5MB",
        error_messages={"required": "请上传服务结果证明"},
    )
    invoice = forms.FileField(label="发票图片", required=False, help_text="jpg/png，不超过500KB")

    def clean_proof(self):
        uploaded = self.cleaned_data["proof"]
        self.proof_name = safe_display_name(uploaded.name)
        try:
            return clean_attachment(uploaded)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def clean_invoice(self):
        uploaded = self.cleaned_data.get("invoice")
        if not uploaded:
            return None
        return clean_image(uploaded, max_bytes=500 * 1024)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="评分",
        coerce=int,
        choices=[(5, "5分 非常满意"), (4, "4分 满意"), (3, "3分 一般"), (2, "2分 不满意"), (1, "1分 非常不满意")],
        error_messages={"required": "请选择评分", "invalid_choice": "请选择1-5分的评分"},
    )
    comment = forms.CharField(
        label="评价内容",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "评价内容不能超过500个字"},
    )


class DifferenceForm(forms.Form):
    amount = forms.DecimalField(label="差价金额(元)", error_messages=MONEY_ERRORS, **MONEY_FIELD)
    note = forms.CharField(
        label="备注",
        required=False,
        max_length=200,
        error_messages={"max_length": "备注不能超过200个字"},
    )
