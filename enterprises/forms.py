from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.validators import MOBILE_RE, validate_id_number, validate_mobile
from config.uploads import MB, clean_attachment, clean_image, safe_display_name
from enterprises.models import Division, Enterprise, JoinApplication
from enterprises.validators import validate_uscc


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


def division_choices(parent_code: str | None, empty: str):
    qs = Division.objects.filter(parent_id=parent_code) if parent_code else Division.objects.filter(level=1)
    return [("", empty)] + list(qs.order_by("code").values_list("code", "name"))


class DivisionCascadeMixin:
    """注册所在地: 所属省份 > 城市 > 区县 (htmx fills the next select). The chosen division
    is the district, or the city when it has no districts."""

    def _setup_divisions(self, initial_division: Division | None = None):
        data = self.data if self.is_bound else {}
        province = data.get("province") or (initial_division and initial_division.code[:2] + "0000") or ""
        city = data.get("city") or (initial_division and (initial_division.parent_id or "")) or ""
        if not self.is_bound and initial_division is not None:
            self.initial.update({"province": province, "city": city, "district": initial_division.code})
        self.fields["province"].choices = division_choices(None, "所属省份")
        self.fields["city"].choices = division_choices(province, "城市") if province else [("", "城市")]
        self.fields["district"].choices = division_choices(city, "区县") if city else [("", "区县")]

    def clean_division(self) -> Division | None:
        province = self.cleaned_data.get("province")
        city = self.cleaned_data.get("city")
        district = self.cleaned_data.get("district")
        if not province or not city:
            self.add_error("district", "请选择注册所在地（省份、城市、区县）。")
            return None
        city_obj = Division.objects.filter(code=city, parent_id=province).first()
        if city_obj is None:
            self.add_error("district", "请选择注册所在地（省份、城市、区县）。")
            return None
        if district:
            division = Division.objects.filter(code=district, parent_id=city).select_related("parent").first()
            if division is None:
                self.add_error("district", "所选区县不属于所选城市，请重新选择。")
            return division
        if Division.objects.filter(parent_id=city).exists():
            self.add_error("district", "请选择区县。")
            return None
        return city_obj


class EnterpriseDetailsForm(DivisionCascadeMixin, forms.Form):
    """单位注册信息 + the administrator's identity; the registration form adds the login."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=30)
    name = forms.CharField(label="单位名称", max_length=100)
    licence = forms.FileField(label="营业执照", help_text="建议上传格式为JPG/JPEG/PNG/BMP，不超过5MB")
    province = forms.ChoiceField(label="所属省份", required=False)
    city = forms.ChoiceField(label="城市", required=False)
    district = forms.ChoiceField(label="区县", required=False)
    real_name = forms.CharField(label="真实姓名", max_length=50)
    id_number = forms.CharField(label="证件号码", max_length=30)
    phone = forms.CharField(label="手机号码", max_length=20)
    code = forms.CharField(label="验证码", max_length=6)

    sms_purpose = "register"

    REQUIRED_MESSAGES = {
        "uscc": "请输入统一社会信用代码。",
        "name": "请输入单位名称。",
        "licence": "请上传营业执照图片。",
        "username": "请输入用户名。",
        "real_name": "请输入真实姓名。",
        "id_number": "请输入证件号码。",
        "phone": "请输入手机号码。",
        "code": "请输入短信验证码。",
        "password1": "请设置密码。",
        "password2": "请再次输入密码。",
    }

    def __init__(self, *args, initial_division=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, message in self.REQUIRED_MESSAGES.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message
        self._setup_divisions(initial_division)
        self.fields["licence"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.bmp,image/jpeg,image/png,image/bmp"
        self.fields["phone"].widget.attrs.update({"placeholder": "11位手机号码，无需+86", "inputmode": "numeric"})
        self.fields["code"].widget.attrs.update({"placeholder": "6位数字", "autocomplete": "one-time-code"})
        self.fields["uscc"].widget.attrs["placeholder"] = "18位统一社会信用代码"
        self.fields["id_number"].widget.attrs["placeholder"] = "18位居民身份证号码"
        _style(self)

    def clean_uscc(self):
        code = validate_uscc(self.cleaned_data["uscc"])
        if Enterprise.objects.filter(uscc=code).exists():
            raise ValidationError("该统一社会信用代码已注册，如需找回账号请联系平台管理员。")
        return code

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if len(name) < 2:
            raise ValidationError("请输入完整的单位名称。")
        return name

    def clean_licence(self):
        return clean_image(self.cleaned_data["licence"], formats=("JPEG", "PNG", "BMP"), max_bytes=5 * MB)

    def clean_real_name(self):
        name = self.cleaned_data["real_name"].strip()
        if len(name) < 2:
            raise ValidationError("请输入真实姓名。")
        return name

    def clean_id_number(self):
        return validate_id_number(self.cleaned_data["id_number"])

    def clean_phone(self):
        phone = validate_mobile(self.cleaned_data["phone"])
        if User.objects.filter(phone=phone).exists():
            raise ValidationError("该手机号码已注册，请直接登录。")
        return phone

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError("请输入6位数字验证码。")
        return code

    def clean(self):
        cleaned = super().clean()
        cleaned["division"] = self.clean_division()
        return cleaned


class RegistrationForm(EnterpriseDetailsForm):
    """法人单位注册 (manual §2.3)."""

    username = forms.CharField(label="用户名", max_length=30)
    password1 = forms.CharField(label="设置密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = [
        "uscc", "name", "licence", "province", "city", "district",
        "username", "real_name", "id_number", "phone", "code", "password1", "password2",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"placeholder": "4-30位字母、数字或下划线", "class": "form-control"}
        )
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["class"] = "form-control"

    def clean_username(self):
        return clean_new_username(self.cleaned_data["username"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            probe = User(username=cleaned.get("username") or "", real_name=cleaned.get("real_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def clean_new_username(value: str) -> str:
    username = (value or "").strip()
    if len(username) < 4:
        raise ValidationError("用户名至少4个字符。")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise ValidationError("用户名只能包含字母、数字和 @/./+/-/_ 字符。")
    if username.isdigit() or MOBILE_RE.match(username):
        raise ValidationError("用户名不能是纯数字（手机号码可直接用于登录）。")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("该用户名已被使用。")
    return username


class CompleteRegistrationForm(EnterpriseDetailsForm):
    """After a first external login: the enterprise details the regional platform lacks.
    The mobile number is asked only when the platform did not give a verified one."""

    sms_purpose = "bind"

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user is not None and user.real_name and not self.is_bound:
            self.initial.setdefault("real_name", user.real_name)
        if user is not None and user.phone and user.phone_verified:
            del self.fields["phone"]
            del self.fields["code"]

    def clean_phone(self):
        phone = validate_mobile(self.cleaned_data["phone"])
        if User.objects.filter(phone=phone).exclude(pk=self.user.pk).exists():
            raise ValidationError("该手机号码已被其他账号使用。")
        return phone


class BasicInfoForm(forms.ModelForm):
    """企业信息管理 - 基本信息 (manual §3.1). 统一社会信用代码 and 注册所在地 are shown read-only."""

    class Meta:
        model = Enterprise
        fields = [
            "legal_representative",
            "established_on",
            "registered_capital",
            "industry",
            "employees",
            "rd_staff",
            "last_year_revenue",
            "last_year_rd_spend",
            "is_high_tech",
            "high_tech_cert_no",
            "is_tech_sme",
            "tech_sme_no",
            "contact_person",
            "contact_phone",
            "address",
            "introduction",
        ]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "introduction": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Enterprise.REQUIRED_BASIC_FIELDS:
            self.fields[name].required = True
        for name in ("registered_capital", "last_year_revenue", "last_year_rd_spend"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.01"})
        _style(self)

    def clean_established_on(self):
        from django.utils import timezone

        value = self.cleaned_data.get("established_on")
        if value and value > timezone.localdate():
            raise ValidationError("成立日期不能晚于今天。")
        return value

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "").strip()
        digits = value.replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            raise ValidationError("请输入正确的联系电话（手机号码或带区号的固定电话）。")
        return value

    def clean(self):
        cleaned = super().clean()
        for amount in ("registered_capital", "last_year_revenue", "last_year_rd_spend"):
            value = cleaned.get(amount)
            if value is not None and value < 0:
                self.add_error(amount, "金额不能为负数。")
        employees, rd = cleaned.get("employees"), cleaned.get("rd_staff")
        if employees is not None and rd is not None and rd > employees:
            self.add_error("rd_staff", "研发人员数不能多于职工人数。")
        if cleaned.get("is_high_tech") and not cleaned.get("high_tech_cert_no"):
            self.add_error("high_tech_cert_no", "请填写高新技术企业证书编号。")
        if cleaned.get("is_tech_sme") and not cleaned.get("tech_sme_no"):
            self.add_error("tech_sme_no", "请填写科技型中小企业入库编号。")
        return cleaned


class OperatorForm(forms.Form):
    """用户管理 - 新增操作员."""

    username = forms.CharField(label="用户名", max_length=30)
    real_name = forms.CharField(label="真实姓名", max_length=50)
    phone = forms.CharField(label="手机号码", max_length=20)
    password1 = forms.CharField(label="初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_username(self):
        return clean_new_username(self.cleaned_data["username"])

    def clean_phone(self):
        phone = validate_mobile(self.cleaned_data["phone"])
        if User.objects.filter(phone=phone).exists():
            raise ValidationError("该手机号码已被其他账号使用。")
        return phone

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "两次输入的密码不一致。")
        elif p1:
            probe = User(username=cleaned.get("username") or "", real_name=cleaned.get("real_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


JOIN_FILE_KINDS = ("pdf", "doc", "docx", "jpg", "png")


class JoinApplicationForm(forms.ModelForm):
    """申请加盟: institution details and up to three qualification files."""

    file1 = forms.FileField(label="资质文件1", help_text="营业执照、资质证书等，pdf/doc/docx/jpg/png，每个不超过5MB")
    file2 = forms.FileField(label="资质文件2", required=False)
    file3 = forms.FileField(label="资质文件3", required=False)

    class Meta:
        model = JoinApplication
        fields = [
            "institution_name",
            "institution_type",
            "service_fields",
            "contact_person",
            "contact_phone",
            "address",
            "introduction",
        ]
        widgets = {
            "institution_type": forms.Select(
                choices=[
                    ("", "请选择机构类型"),
                    ("检验检测机构", "检验检测机构"),
                    ("高校院所", "高校院所"),
                    ("知识产权服务机构", "知识产权服务机构"),
                    ("研发设计服务机构", "研发设计服务机构"),
                    ("科技咨询服务机构", "科技咨询服务机构"),
                    ("其他", "其他"),
                ]
            ),
            "introduction": forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)

    def clean_contact_phone(self):
        value = self.cleaned_data.get("contact_phone", "").strip()
        digits = value.replace("-", "").replace(" ", "")
        if not digits.isdigit() or not 7 <= len(digits) <= 12:
            raise ValidationError("请输入正确的联系电话。")
        return value

    def _clean_file(self, name):
        uploaded = self.cleaned_data.get(name)
        if not uploaded:
            return None
        return (clean_attachment(uploaded, kinds=JOIN_FILE_KINDS), safe_display_name(uploaded.name))

    def clean_file1(self):
        return self._clean_file("file1")

    def clean_file2(self):
        return self._clean_file("file2")

    def clean_file3(self):
        return self._clean_file("file3")

    def files_to_save(self):
        return [self.cleaned_data[n] for n in ("file1", "file2", "file3") if self.cleaned_data.get(n)]

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RegistrationChangeForm(DivisionCascadeMixin, forms.Form):
    """Admin: change 注册所在地 / 统一社会信用代码 with a reason."""

    uscc = forms.CharField(label="统一社会信用代码", max_length=30)
    province = forms.ChoiceField(label="所属省份", required=False)
    city = forms.ChoiceField(label="城市", required=False)
    district = forms.ChoiceField(label="区县", required=False)
    reason = forms.CharField(label="变更原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, enterprise: Enterprise, **kwargs):
        self.enterprise = enterprise
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["uscc"] = enterprise.uscc
        self._setup_divisions(enterprise.division)

    def clean_uscc(self):
        code = validate_uscc(self.cleaned_data["uscc"])
        if Enterprise.objects.filter(uscc=code).exclude(pk=self.enterprise.pk).exists():
            raise ValidationError("该统一社会信用代码已注册。")
        return code

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请填写变更原因。")
        return reason

    def clean(self):
        cleaned = super().clean()
        cleaned["division"] = self.clean_division()
        return cleaned


class RejectForm(forms.Form):
    reason = forms.CharField(label="驳回原因", max_length=200, widget=forms.Textarea(attrs={"rows": 3}))
