"""Forms of the redemption pages: they only collect and shape input; rules live in services."""

from django import forms

from catalog.models import Institution, ServiceCategory
from config.uploads import KB, clean_attachment, clean_image
from redemption.models import TEXT_LIMIT


class VoucherChoiceForm(forms.Form):
    voucher = forms.ModelChoiceField(label="券号", queryset=None, empty_label="请选择创新券")

    def __init__(self, *args, vouchers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voucher"].queryset = vouchers
        self.fields["voucher"].label_from_instance = lambda v: (
            f"{v.number}（发放金额{v.issued_amount}元，年度{v.year}，券剩余金额{v.remaining_amount}元）"
        )


class QuickCreateForm(VoucherChoiceForm):
    institution = forms.ModelChoiceField(label="服务机构", queryset=None, empty_label="请选择服务机构")
    category = forms.ModelChoiceField(label="服务类型（第三级）", queryset=None, empty_label="请选择服务类型")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(is_active=True).order_by("name")
        self.fields["category"].queryset = (
            ServiceCategory.objects.filter(level=3, is_active=True)
            .select_related("parent", "parent__parent")
            .order_by("parent__parent__sort_order", "parent__sort_order", "sort_order", "id")
        )
        self.fields["category"].label_from_instance = lambda c: f"{c.parent.parent.name} / {c.parent.name} / {c.name}"


class TextsForm(forms.Form):
    effect = forms.CharField(
        label="服务成效体现",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT, "placeholder": "服务成效体现"}),
    )
    innovation = forms.CharField(
        label="创新性体现",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_LIMIT, "placeholder": "创新性体现"}),
    )
    note = forms.CharField(
        label="备注信息",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_LIMIT, "placeholder": "备注信息"}),
    )


class InvoiceForm(forms.Form):
    code = forms.CharField(label="发票代码", max_length=12)
    number = forms.CharField(label="发票号码", max_length=20)
    issued_on = forms.DateField(label="发票日期", widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label="发票金额(元)", max_digits=14, decimal_places=2, min_value=0)
    image = forms.FileField(
        label="发票图片",
        help_text="只能上传jpg/png文件，且不超过500KB",
        widget=forms.ClearableFileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
    )
    note = forms.CharField(
        label="备注信息",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_LIMIT}),
    )

    def clean_image(self):
        return clean_image(self.cleaned_data["image"], formats=("JPEG", "PNG"), max_bytes=500 * KB)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="其它附件",
        help_text="请上传合同及其他证明材料；只能上传pdf/doc/docx/jpg/png/zip/rar文件，且大小不超过5MB",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.doc,.docx,.jpg,.jpeg,.png,.zip,.rar"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.original_name = upload.name
        return clean_attachment(upload)


class ExpertReviewForm(forms.Form):
    score = forms.IntegerField(label="评分（0-100）", min_value=0, max_value=100)
    recommended_amount = forms.DecimalField(label="建议金额(元)", max_digits=14, decimal_places=2, min_value=0)
    opinion = forms.CharField(
        label="评审意见", max_length=500, widget=forms.Textarea(attrs={"rows": 4, "maxlength": 500})
    )
    no_conflict = forms.BooleanField(
        label="本人声明：与申请单位及服务机构无利益冲突", required=True, error_messages={"required": "请声明无利益冲突"}
    )
