"""Forms of the catalogue: validation only; the views pass cleaned data to the services."""

from django import forms

from catalog.models import Institution, Instrument, ServiceCategory, ServiceItem, SubUnit
from config.uploads import clean_image
from enterprises.models import PilotRegion


class BootstrapMixin:
    """Bootstrap classes on every widget (the templates render fields generically)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect, forms.CheckboxInput)):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class PictureField(forms.FileField):
    """An optional picture, checked from its content (JPG/PNG ≤ 5MB) and re-encoded."""

    def __init__(self, label="图片", **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "JPG/PNG 格式，不超过 5MB")
        super().__init__(label=label, **kwargs)
        self.widget.attrs["accept"] = "image/jpeg,image/png"

    def clean(self, data, initial=None):
        data = super().clean(data, initial)
        if not data:
            return None
        return clean_image(data)


class InstitutionForm(BootstrapMixin, forms.ModelForm):
    logo_upload = PictureField(label="机构标志")
    website = forms.URLField(label="网址", required=False, assume_scheme="https")

    class Meta:
        model = Institution
        fields = [
            "name",
            "address",
            "introduction",
            "qualifications",
            "contact_person",
            "contact_phone",
            "contact_email",
            "website",
        ]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 5}),
            "qualifications": forms.Textarea(attrs={"rows": 3}),
        }


class SubUnitForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = SubUnit
        fields = ["name", "introduction", "contact_person", "contact_phone"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 4})}


class ThirdLevelCategoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.path_label


class ServiceItemForm(BootstrapMixin, forms.ModelForm):
    category = ThirdLevelCategoryField(
        label="服务类别",
        queryset=ServiceCategory.objects.filter(level=3, is_active=True).select_related("parent__parent"),
        empty_label="请选择三级服务类别",
    )
    region_tags = forms.ModelMultipleChoiceField(
        label="可下单区域",
        queryset=PilotRegion.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="哪些试点区域的企业可以下单（显示为项目图片上的区域标签）",
    )
    image = PictureField(label="项目图片")

    class Meta:
        model = ServiceItem
        fields = [
            "name",
            "category",
            "sub_unit",
            "price_type",
            "price",
            "unit",
            "service_cycle",
            "description",
            "region_tags",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6}), "price_type": forms.RadioSelect}

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_unit"].queryset = SubUnit.objects.filter(institution=institution)
        self.fields["sub_unit"].empty_label = "无"
        self.fields["price"].min_value = 0
        self.fields["price"].widget.attrs["min"] = "0"

    def clean(self):
        data = super().clean()
        if data.get("price_type") == ServiceItem.PriceType.FIXED and data.get("price") is None:
            self.add_error("price", "一口价的服务项目必须填写价格。")
        if data.get("price") is not None and data["price"] < 0:
            self.add_error("price", "价格不能为负数。")
        return data


class InstrumentForm(BootstrapMixin, forms.ModelForm):
    image = PictureField(label="仪器图片")

    class Meta:
        model = Instrument
        fields = [
            "name",
            "model_number",
            "manufacturer",
            "sub_unit",
            "location",
            "booking_price",
            "booking_unit",
            "status",
            "specifications",
            "uses",
        ]
        widgets = {
            "specifications": forms.Textarea(attrs={"rows": 4}),
            "uses": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_unit"].queryset = SubUnit.objects.filter(institution=institution)
        self.fields["sub_unit"].empty_label = "无"
        self.fields["booking_price"].min_value = 0
        self.fields["booking_price"].help_text = "留空表示面议"

    def clean_booking_price(self):
        value = self.cleaned_data.get("booking_price")
        if value is not None and value < 0:
            raise forms.ValidationError("价格不能为负数。")
        return value


class OperatorForm(BootstrapMixin, forms.Form):
    username = forms.RegexField(
        label="用户名",
        regex=r"^[A-Za-z0-9_]{4,30}$",
        error_messages={"invalid": "用户名为 4-30 位字母、数字或下划线。"},
    )
    real_name = forms.CharField(label="真实姓名", max_length=50)
    phone = forms.RegexField(
        label="手机号码", regex=r"^1\d{10}$", required=False, error_messages={"invalid": "请输入 11 位手机号码。"}
    )
    password = forms.CharField(label="初始密码", min_length=8, max_length=128, widget=forms.PasswordInput)
