from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.exceptions import AccountsError
from accounts.forms import PasswordChangeForm, PasswordResetForm, PhoneChangeForm, ProfileForm, SmsSendForm
from accounts.selectors import phone_taken
from messaging import selectors as messaging_selectors


def _bound(request, files: bool = False) -> tuple:
    """Form arguments: bound on POST even when the POST is empty (an empty QueryDict is
    falsy, so ``request.POST or None`` would silently show an unbound form)."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def client_ip(request) -> str:
    return get_adapter(request).get_client_ip(request) or ""


@require_POST
def sms_send(request):
    """获取验证码 (htmx): answers with a short status line next to the button."""
    form = SmsSendForm(request.POST)
    ok, text = False, ""
    if not form.is_valid():
        errors = form.errors.get("phone") or ["请求无效。"]
        text = errors[0]
    else:
        phone, purpose = form.cleaned_data["phone"], form.cleaned_data["purpose"]
        if purpose in ("change_phone", "bind") and not request.user.is_authenticated:
            text = "请先登录。"
        elif purpose == "register" and phone_taken(phone):
            text = "该手机号码已注册，请直接登录。"
        elif purpose == "reset" and not phone_taken(phone):
            text = "该手机号码未注册。"
        elif purpose == "reset":
            try:
                services.send_code(phone, purpose, client_ip(request))
                ok, text = True, "验证码已发送，10分钟内有效。"
            except AccountsError as error:
                text = error.message
        elif purpose != "register" and phone_taken(phone, exclude_user=request.user):
            text = "该手机号码已被其他账号使用。"
        else:
            try:
                services.send_code(phone, purpose, client_ip(request))
                ok, text = True, "验证码已发送，10分钟内有效。"
            except AccountsError as error:
                text = error.message
    return render(request, "accounts/partials/sms_status.html", {"ok": ok, "text": text})


def dev_sms(request):
    """开发短信: the latest SMS texts, so codes can be read without a gateway. DEBUG only."""
    if not settings.DEBUG:
        raise Http404
    return render(request, "accounts/dev_sms.html", {"rows": messaging_selectors.dev_sms_rows()})


@login_required
def profile(request):
    user = request.user
    form = ProfileForm(*_bound(request), instance=user)
    phone_form = PhoneChangeForm(user=user)
    if request.method == "POST" and form.is_valid():
        services.update_profile(user, form.cleaned_data)
        messages.success(request, "个人信息已保存。")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "phone_form": phone_form, "menu": "个人信息"})


@login_required
@require_POST
def phone_change(request):
    user = request.user
    phone_form = PhoneChangeForm(request.POST, user=user)
    if phone_form.is_valid():
        try:
            services.change_phone(user, phone_form.cleaned_data["phone"], phone_form.cleaned_data["code"])
        except AccountsError as error:
            phone_form.add_error("code", error.message)
        else:
            messages.success(request, "手机号码已更换。")
            return redirect("accounts:profile")
    form = ProfileForm(instance=user)
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "phone_form": phone_form, "menu": "个人信息", "phone_open": True},
    )


@login_required
def password(request):
    form = PasswordChangeForm(*_bound(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(request, form.cleaned_data["old_password"], form.cleaned_data["new_password1"])
        except AccountsError as error:
            form.add_error("old_password", error.message)
        else:
            messages.success(request, "密码已修改，请牢记新密码。")
            return redirect("accounts:password")
    return render(request, "accounts/password.html", {"form": form, "menu": "密码修改"})


def password_reset(request):
    """找回密码 (anonymous): mobile → SMS code → new password, then 登录."""
    form = PasswordResetForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reset_password_by_sms(data["phone"], data["code"], data["new_password1"])
        except AccountsError as error:
            form.add_error("code", error.message)
        else:
            messages.success(request, "密码已重置，请使用新密码登录。")
            return redirect("account_login")
    return render(request, "accounts/password_reset.html", {"form": form})
