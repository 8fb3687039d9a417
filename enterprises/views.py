from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.exceptions import AccountsError
from config.pagination import paginate
from config.private_files import private_file_response
from enterprises import selectors, services
from enterprises.exceptions import EnterpriseError
from enterprises.forms import (
    BasicInfoForm,
    CompleteRegistrationForm,
    JoinApplicationForm,
    OperatorForm,
    RegistrationForm,
    division_choices,
)
from enterprises.models import Division


def _bound(request, files: bool = False) -> tuple:
    """Form arguments: bound on POST even when the POST is empty (an empty QueryDict is
    falsy, so ``request.POST or None`` would silently show an unbound form)."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _add_error(form, error, default_field):
    field = getattr(error, "field", None) or default_field
    form.add_error(field if field in form.fields else None, error.message)


def register(request):
    """法人单位注册 (manual §2.3)."""
    if request.user.is_authenticated:
        return redirect("buyer_home")
    form = RegistrationForm(*_bound(request, files=True))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, _enterprise = services.register_enterprise(
                uscc=data["uscc"],
                name=data["name"],
                licence=data["licence"],
                division=data["division"],
                username=data["username"],
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data["phone"],
                code=data["code"],
                password=data["password1"],
            )
        except AccountsError as error:
            form.add_error("code", error.message)
        except EnterpriseError as error:
            _add_error(form, error, None)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "注册成功！请先完善企业基本信息。")
            return redirect("enterprises:basic_info")
    return render(request, "enterprises/register.html", {"form": form, "pilot_names": selectors.pilot_region_names()})


@login_required
def complete(request):
    """After a first external login: the enterprise details the platform still lacks."""
    if selectors.membership_for_user(request.user) is not None:
        return redirect("buyer_home")
    if request.user.is_staff:
        raise Http404
    from allauth.socialaccount.models import SocialAccount

    account = SocialAccount.objects.filter(user=request.user).first()
    region = selectors.region_for_external_provider(account.provider) if account else None
    form = CompleteRegistrationForm(
        *_bound(request, files=True),
        user=request.user,
        initial_division=region.division if region else None,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.complete_external_registration(
                request.user,
                uscc=data["uscc"],
                name=data["name"],
                licence=data["licence"],
                division=data["division"],
                real_name=data["real_name"],
                id_number=data["id_number"],
                phone=data.get("phone"),
                code=data.get("code"),
            )
        except AccountsError as error:
            form.add_error("code", error.message)
        except EnterpriseError as error:
            _add_error(form, error, None)
        else:
            messages.success(request, "企业信息已提交，请继续完善企业基本信息。")
            return redirect("enterprises:basic_info")
    return render(
        request,
        "enterprises/complete.html",
        {"form": form, "region": region, "pilot_names": selectors.pilot_region_names()},
    )


def division_options(request):
    """htmx: the <option>s of the next level of 注册所在地 (and clears the level after)."""
    province = request.GET.get("province", "")[:6]
    city = request.GET.get("city", "")[:6]
    level = request.GET.get("level", "")
    if level == "city":
        valid = province.isdigit() and Division.objects.filter(code=province, level=1).exists()
        options = division_choices(province, "城市") if valid else [("", "城市")]
        return render(
            request,
            "enterprises/partials/division_options.html",
            {"options": options, "clear_district": True},
        )
    valid = city.isdigit() and Division.objects.filter(code=city, level=2).exists()
    options = division_choices(city, "区县") if valid else [("", "区县")]
    return render(request, "enterprises/partials/division_options.html", {"options": options})


@login_required
def licence(request, pk: int):
    enterprise = selectors.enterprise_licence_for_user(request.user, pk)
    try:
        with enterprise.licence.open("rb") as handle:
            head = handle.read(4)
    except OSError:
        raise Http404("文件不存在")
    is_png = head.startswith(b"\x89PNG")
    response = private_file_response(
        enterprise.licence, download_name=f"营业执照-{enterprise.uscc}.{'png' if is_png else 'jpg'}", inline=True
    )
    response["Content-Type"] = "image/png" if is_png else "image/jpeg"
    return response


@login_required
def basic_info(request):
    """企业信息管理 - 基本信息 (manual §3.1); operators see it read-only."""
    membership = selectors.require_membership(request.user)
    enterprise = membership.enterprise
    can_edit = membership.is_admin
    form = BasicInfoForm(request.POST if can_edit and request.method == "POST" else None, instance=enterprise)
    if request.method == "POST" and can_edit and form.is_valid():
        try:
            services.update_basic_info(enterprise, request.user, form.cleaned_data)
        except EnterpriseError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "企业基本信息已保存。")
            return redirect("enterprises:basic_info")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request,
        "enterprises/basic_info.html",
        {"form": form, "enterprise": enterprise, "can_edit": can_edit, "menu": "基本信息"},
    )


@login_required
def members(request):
    """用户管理: the enterprise's administrator manages operator accounts."""
    membership = selectors.require_membership(request.user)
    if not membership.is_admin:
        return render(request, "enterprises/members_denied.html", {"menu": "用户管理"})
    enterprise = membership.enterprise
    form = OperatorForm(*_bound(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.add_operator(
                enterprise,
                request.user,
                username=data["username"],
                real_name=data["real_name"],
                phone=data["phone"],
                password=data["password1"],
            )
        except EnterpriseError as error:
            _add_error(form, error, None)
        else:
            messages.success(request, f"操作员 {data['username']} 已添加。")
            return redirect("enterprises:members")
    page = paginate(request, selectors.members_of(enterprise))
    return render(
        request,
        "enterprises/members.html",
        {
            "form": form,
            "page": page,
            "enterprise": enterprise,
            "menu": "用户管理",
            "show_form": request.method == "POST",
        },
    )


def _member_action(request, pk: int, action) -> object:
    membership = selectors.require_enterprise_admin(request.user)
    if not membership.enterprise.members.filter(pk=pk).exists():
        raise Http404("该用户不存在")  # another enterprise's member: never reveal it
    try:
        action(membership.enterprise, request.user, pk)
    except EnterpriseError as error:
        messages.error(request, error.message)
        return None
    return True


@login_required
@require_POST
def member_disable(request, pk: int):
    if _member_action(request, pk, lambda e, u, p: services.set_operator_active(e, u, p, False)):
        messages.success(request, "该操作员已停用。")
    return redirect("enterprises:members")


@login_required
@require_POST
def member_enable(request, pk: int):
    if _member_action(request, pk, lambda e, u, p: services.set_operator_active(e, u, p, True)):
        messages.success(request, "该操作员已启用。")
    return redirect("enterprises:members")


@login_required
@require_POST
def member_remove(request, pk: int):
    if _member_action(request, pk, services.remove_operator):
        messages.success(request, "该操作员已删除。")
    return redirect("enterprises:members")


@login_required
@require_POST
def member_transfer(request, pk: int):
    if _member_action(request, pk, services.transfer_admin):
        messages.success(request, "单位管理员已移交。")
        return redirect("buyer_home")
    return redirect("enterprises:members")


@login_required
def join(request):
    """申请加盟: apply to join as a service institution, and see past applications."""
    membership = selectors.require_membership(request.user)
    enterprise = membership.enterprise
    applications = selectors.join_applications_of(enterprise)
    has_open = applications.filter(status__in=("pending", "approved")).exists()
    form = JoinApplicationForm(*_bound(request, files=True))
    if request.method == "POST":
        if not membership.is_admin:
            messages.error(request, "只有单位管理员可以申请加盟。")
            return redirect("enterprises:join")
        if form.is_valid():
            try:
                services.submit_join_application(enterprise, request.user, form.details(), form.files_to_save())
            except EnterpriseError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, "申请加盟已提交，请等待区域管理员审核。")
                return redirect("enterprises:join")
    page = paginate(request, applications)
    return render(
        request,
        "enterprises/join.html",
        {
            "form": form,
            "page": page,
            "can_apply": membership.is_admin and not has_open,
            "menu": "申请加盟",
        },
    )


@login_required
def join_file(request, pk: int):
    row = selectors.join_file_for_user(request.user, pk)
    return private_file_response(row.file, download_name=row.original_name)
