from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.validators import MOBILE_RE, birth_date_from_id, validate_id_number, validate_mobile

ETHNICITIES = [
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族",
    "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族",
    "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族",
    "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族",
    "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族",
    "门巴族", "珞巴族", "基诺族", "其他",
]  # fmt: skip
PARTIES = [
    "中国共产党党员", "中国共产党预备党员", "中国共产主义青年团团员", "中国国民党革命委员会会员",
    "中国民主同盟盟员", "中国民主建国会会员", "中国民主促进会会员", "中国农工民主党党员", "中国致公党党员",
    "九三学社社员", "台湾民主自治同盟盟员", "无党派人士", "群众",
]  # fmt: skip


def _choices(values, empty):
    return [("", empty)] + [(v, v) for v in values]


class LoginForm(AllauthLoginForm):
    """allauth's login form; the login box takes 用户名 or 手机号码."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = "用户名/手机号码"
        field.widget.attrs.update({"placeholder": "请输入用户名或手机号码", "class": "form-control"})
        self.fields["password"].label = "密码"
        self.fields["password"].help_text = ""  # no e-mail reset link: accounts are recovered via the region
        self.fields["password"].widget.attrs.update({"placeholder": "请输入密码", "class": "form-control"})
        if "remember" in self.fields:
            self.fields["remember"].label = "记住我"
            self.fields["remember"].widget.attrs["class"] = "form-check-input"


def region_choices():
    """Pilot regions by name, plus 其他 (manual §8.1 区域)."""
    from django.apps import apps

    PilotRegion = apps.get_model("enterprises", "PilotRegion")  # read by name: no import of a later app
    names = list(PilotRegion.objects.filter(is_active=True).order_by("sort_order").values_list("name", flat=True))
    return [("", "请选择区域")] + [(n, n) for n in names] + [("其他", "其他")]


class ProfileForm(forms.ModelForm):
    """个人信息 (manual §8.1). Required: 真实姓名, 邮箱 (用户名 and 手机号 are shown; the
    number changes through the SMS form)."""

    id_number = forms.CharField(label="证件号码", required=False, max_length=18)
    ethnicity = forms.ChoiceField(label="民族", required=False, choices=_choices(ETHNICITIES, "请选择民族"))
    party = forms.ChoiceField(label="党派", required=False, choices=_choices(PARTIES, "请选择党派"))
    home_region = forms.ChoiceField(label="区域", required=False)
    birth_date = forms.DateField(
        label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    class Meta:
        model = User
        fields = [
            "real_name",
            "email",
            "id_number",
            "birth_date",
            "gender",
            "birthplace",
            "nationality",
            "ethnicity",
            "party",
            "education",
            "address",
            "province",
            "postcode",
            "district",
            "city",
            "home_region",
        ]
        widgets = {"gender": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["real_name"].required = True
        self.fields["email"].required = True
        self.fields["email"].label = "邮箱"
        self.fields["gender"].choices = [c for c in self.fields["gender"].choices if c[0]]
        self.fields["education"].choices = [("", "请选择学历")] + list(User.Education.choices)
        self.fields["home_region"].choices = region_choices()
        # The ID is never sent back to the browser in clear: the box shows the masked form
        # and an empty box (or the unchanged mask) keeps the stored number.
        self.initial["id_number"] = ""
        self.fields["id_number"].widget.attrs["placeholder"] = (
            self.instance.masked_id_number if self.instance.id_number else "居民身份证号码（选填）"
        )
        self.fields["gender"].widget.attrs["class"] = "form-check-input"
        for name, field in self.fields.items():
            if name != "gender":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "").strip()
        if not value or value == self.instance.masked_id_number:
            return self.instance.id_number
        return validate_id_number(value)

    def clean(self):
        cleaned = super().clean()
        number = cleaned.get("id_number")
        if number and not cleaned.get("birth_date") and "birth_date" not in self.errors:
            cleaned["birth_date"] = birth_date_from_id(number)
        return cleaned

    def clean_postcode(self):
        value = self.cleaned_data.get("postcode", "").strip()
        if value and not (value.isdigit() and len(value) == 6):
            raise ValidationError("邮政编码应为6位数字。")
        return value

    def clean_email(self):
        value = self.cleaned_data.get("email", "").strip()
        if value and User.objects.filter(email__iexact=value).exclude(pk=self.instance.pk).exists():
            raise ValidationError("该邮箱已被其他账号使用。")
        return value


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(label="新手机号码", max_length=20)
    code = forms.CharField(label="验证码", max_length=6)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"class": "form-control", "placeholder": "11位手机号码"})
        self.fields["code"].widget.attrs.update({"class": "form-control", "autocomplete": "one-time-code"})

    def clean_phone(self):
        phone = validate_mobile(self.cleaned_data["phone"])
        if self.user and phone == self.user.phone:
            raise ValidationError("新手机号码与当前手机号码相同。")
        if User.objects.filter(phone=phone).exclude(pk=getattr(self.user, "pk", None)).exists():
            raise ValidationError("该手机号码已被其他账号使用。")
        return phone

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not (code.isdigit() and len(code) == 6):
            raise ValidationError("请输入6位数字验证码。")
        return code


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(
        label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise ValidationError("原密码不正确。")
        return value

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的密码不一致。")
        elif p1:
            try:
                password_validation.validate_password(p1, self.user)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


class SmsSendForm(forms.Form):
    phone = forms.CharField(max_length=20)
    purpose = forms.ChoiceField(
        choices=[("register", "register"), ("change_phone", "change_phone"), ("bind", "bind"), ("reset", "reset")]
    )

    def clean_phone(self):
        return validate_mobile(self.cleaned_data["phone"])


def looks_like_mobile(value: str) -> bool:
    return bool(MOBILE_RE.match(value or ""))


class PasswordResetForm(forms.Form):
    """找回密码: 手机号码 → 短信验证码 → 新密码."""

    phone = forms.CharField(label="手机号码", max_length=20)
    code = forms.CharField(label="验证码", max_length=6)
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(
        label="确认密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请输入{field.label}。"
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["phone"].widget.attrs.update({"placeholder": "注册时的11位手机号码", "inputmode": "numeric"})
        self.fields["code"].widget.attrs.update({"placeholder": "6位数字", "autocomplete": "one-time-code"})

    def clean_phone(self):
        return validate_mobile(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的密码不一致。")
        elif p1:
            probe = User.objects.filter(phone=cleaned.get("phone") or "").first() or User()
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned
