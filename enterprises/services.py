"""Writes of the enterprises app: 法人单位注册, 基本信息, 用户管理, 申请加盟 and the
administrators' change of registration data. One transaction each; domain errors carry
the Chinese message the page shows."""

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts import audit
from accounts.identity import forget_identity
from accounts.models import User
from accounts.services import verify_code
from enterprises.exceptions import MemberError, RegistrationError, TransitionNotAllowed
from enterprises.models import (
    Division,
    Enterprise,
    EnterpriseMember,
    EnterpriseRegionCopy,
    JoinApplication,
    JoinApplicationFile,
    JoinApplicationStatusChange,
    RegistrationChange,
)
from enterprises.selectors import region_for_division
from messaging.models import Message
from messaging.services import notify


def _unique_violation(error: IntegrityError) -> str | None:
    text = str(error)
    for marker, field in (
        ("uscc", "uscc"),
        ("username", "username"),
        ("phone", "phone"),
        ("enterprise_membership", "username"),
    ):
        if marker in text:
            return field
    return None


_UNIQUE_MESSAGES = {
    "uscc": "该统一社会信用代码已注册。",
    "username": "该用户名已被使用。",
    "phone": "该手机号码已注册。",
}


def _create_enterprise(*, uscc: str, name: str, licence, division: Division) -> Enterprise:
    enterprise = Enterprise(uscc=uscc, name=name, division=division, region=region_for_division(division))
    if licence is not None:
        enterprise.licence.save("licence", licence, save=False)
    enterprise.save()
    return enterprise


def _welcome(user: User, enterprise: Enterprise) -> None:
    if enterprise.region_id:
        tail = "请先在“企业信息管理-基本信息”中完善企业基本信息，完善后即可申领创新券。"
    else:
        tail = "注册所在地不在试点区域，可无券下单；如需申领创新券，请联系平台管理员。"
    notify(user, Message.Kind.SYSTEM, f"欢迎使用长三角科技创新券通用通兑平台！{enterprise.name}已注册成功。{tail}")


def register_enterprise(
    *,
    uscc: str,
    name: str,
    licence,
    division: Division,
    username: str,
    real_name: str,
    id_number: str,
    phone: str,
    code: str,
    password: str,
) -> tuple[User, Enterprise]:
    """法人单位注册: the enterprise, its administrator's account and membership. The SMS
    code is checked (and used up) first; all inputs are already validated by the form."""
    verify_code(phone, "register", code)
    try:
        with transaction.atomic():
            user = User(
                username=username,
                real_name=real_name,
                id_number=id_number,
                phone=phone,
                phone_verified=True,
                role=User.Role.ENTERPRISE,
            )
            user.set_password(password)
            user.save()
            enterprise = _create_enterprise(uscc=uscc, name=name, licence=licence, division=division)
            EnterpriseMember.objects.create(user=user, enterprise=enterprise, is_admin=True)
            _welcome(user, enterprise)
            audit.record(
                "enterprise.register",
                enterprise,
                after={"uscc": enterprise.uscc, "division": enterprise.division_id, "admin": user.username},
                actor=user,
            )
    except IntegrityError as error:
        field = _unique_violation(error)
        if field is None:
            raise
        raise RegistrationError(_UNIQUE_MESSAGES[field], field=field)
    return user, enterprise


def complete_external_registration(
    user: User,
    *,
    uscc: str,
    name: str,
    licence,
    division: Division,
    real_name: str,
    id_number: str,
    phone: str | None = None,
    code: str | None = None,
) -> Enterprise:
    """After a first external login: the enterprise details the regional platform did not
    give. A mobile number not verified by the platform needs an SMS code."""
    if phone:
        verify_code(phone, "bind", code or "")
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            if EnterpriseMember.objects.filter(user=user).exists():
                raise RegistrationError("该账号已关联企业。")
            user.real_name = real_name
            user.id_number = id_number
            if phone:
                user.phone = phone
                user.phone_verified = True
            user.save(update_fields=["real_name", "id_number", "phone", "phone_verified"])
            enterprise = _create_enterprise(uscc=uscc, name=name, licence=licence, division=division)
            EnterpriseMember.objects.create(user=user, enterprise=enterprise, is_admin=True)
            _welcome(user, enterprise)
            audit.record(
                "enterprise.register_external",
                enterprise,
                after={"uscc": enterprise.uscc, "division": enterprise.division_id, "admin": user.username},
                actor=user,
            )
    except IntegrityError as error:
        field = _unique_violation(error)
        if field is None:
            raise
        raise RegistrationError(_UNIQUE_MESSAGES[field], field=field)
    return enterprise


# --- 基本信息 ----------------------------------------------------------------------------

BASIC_INFO_FIELDS = (
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
)


def update_basic_info(enterprise: Enterprise, actor: User, data: dict) -> Enterprise:
    """Save 基本信息 (validated by the form). Only the enterprise's administrator may."""
    with transaction.atomic():
        member = EnterpriseMember.objects.filter(user=actor, enterprise=enterprise, is_admin=True).first()
        if member is None:
            raise MemberError("只有单位管理员可以修改企业基本信息。")
        enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = audit.snapshot(enterprise, BASIC_INFO_FIELDS)
        for name in BASIC_INFO_FIELDS:
            if name in data:
                setattr(enterprise, name, data[name])
        if not enterprise.is_high_tech:
            enterprise.high_tech_cert_no = ""
        if not enterprise.is_tech_sme:
            enterprise.tech_sme_no = ""
        enterprise.save()
        audit.record_changes("enterprise.basic_info", enterprise, before, audit.snapshot(enterprise, BASIC_INFO_FIELDS))
    return enterprise


# --- 用户管理 ----------------------------------------------------------------------------


def _admin_member(enterprise: Enterprise, actor: User) -> EnterpriseMember:
    member = (
        EnterpriseMember.objects.select_for_update()
        .filter(user=actor, enterprise=enterprise, is_admin=True, user__is_active=True)
        .first()
    )
    if member is None:
        raise MemberError("只有单位管理员可以管理用户。")
    return member


def add_operator(
    enterprise: Enterprise, actor: User, *, username: str, real_name: str, phone: str, password: str
) -> User:
    try:
        with transaction.atomic():
            _admin_member(enterprise, actor)
            user = User(
                username=username, real_name=real_name, phone=phone, phone_verified=False, role=User.Role.ENTERPRISE
            )
            user.set_password(password)
            user.save()
            EnterpriseMember.objects.create(user=user, enterprise=enterprise, is_admin=False)
            audit.record("enterprise.operator_add", enterprise, after={"operator": user.username}, actor=actor)
            notify(user, Message.Kind.ACCOUNT, f"{actor.display_name}已为您开通{enterprise.name}的操作员账号。")
    except IntegrityError as error:
        field = _unique_violation(error)
        if field is None:
            raise
        raise MemberError(_UNIQUE_MESSAGES[field], field=field)
    return user


def _operator(enterprise: Enterprise, member_id: int) -> EnterpriseMember:
    member = (
        EnterpriseMember.objects.select_for_update()
        .select_related("user")
        .filter(pk=member_id, enterprise=enterprise)
        .first()
    )
    if member is None:
        raise MemberError("该用户不存在。")
    if member.is_admin:
        raise MemberError("不能对单位管理员执行此操作。")
    return member


def set_operator_active(enterprise: Enterprise, actor: User, member_id: int, active: bool) -> EnterpriseMember:
    with transaction.atomic():
        _admin_member(enterprise, actor)
        member = _operator(enterprise, member_id)
        User.objects.filter(pk=member.user_id).update(is_active=active)
        forget_identity(member.user_id)  # update() sends no signal: log them out now
        member.user.is_active = active
        audit.record(
            "enterprise.operator_enable" if active else "enterprise.operator_disable",
            enterprise,
            after={"operator": member.user.username, "is_active": active},
            actor=actor,
        )
    return member


def remove_operator(enterprise: Enterprise, actor: User, member_id: int) -> None:
    """The operator leaves the enterprise; the account is disabled (kept for the history
    of what it did) rather than deleted."""
    with transaction.atomic():
        _admin_member(enterprise, actor)
        member = _operator(enterprise, member_id)
        User.objects.filter(pk=member.user_id).update(is_active=False)
        forget_identity(member.user_id)  # update() sends no signal: log them out now
        audit.record("enterprise.operator_remove", enterprise, before={"operator": member.user.username}, actor=actor)
        member.delete()


def transfer_admin(enterprise: Enterprise, actor: User, member_id: int) -> EnterpriseMember:
    """Hand the administrator role to an active operator; both rows change in one
    transaction (the old administrator first: at most one administrator at any time)."""
    with transaction.atomic():
        current = _admin_member(enterprise, actor)
        target = _operator(enterprise, member_id)
        if not target.user.is_active:
            raise MemberError("该用户已停用，请先启用后再移交管理员。")
        current.is_admin = False
        current.save(update_fields=["is_admin"])
        target.is_admin = True
        target.save(update_fields=["is_admin"])
        audit.record(
            "enterprise.admin_transfer",
            enterprise,
            before={"admin": actor.username},
            after={"admin": target.user.username},
            actor=actor,
        )
        notify(target.user, Message.Kind.ACCOUNT, f"{actor.display_name}已将{enterprise.name}的单位管理员移交给您。")
    return target


# --- 申请加盟 ----------------------------------------------------------------------------


def submit_join_application(enterprise: Enterprise, applicant: User, data: dict, files) -> JoinApplication:
    """``files``: (ContentFile, original name) pairs, already validated."""
    try:
        with transaction.atomic():
            if not EnterpriseMember.objects.filter(user=applicant, enterprise=enterprise, is_admin=True).exists():
                raise MemberError("只有单位管理员可以申请加盟。")
            if JoinApplication.objects.filter(enterprise=enterprise, status=JoinApplication.Status.APPROVED).exists():
                raise MemberError("贵单位的加盟申请已通过，无需重复申请。")
            application = JoinApplication.objects.create(enterprise=enterprise, applicant=applicant, **data)
            for content, original in files:
                row = JoinApplicationFile(application=application, original_name=original)
                row.file.save(original, content, save=False)
                row.save()
            JoinApplicationStatusChange.objects.create(
                application=application, actor=applicant, from_status="", to_status=application.status, note="提交申请"
            )
    except IntegrityError:
        raise MemberError("贵单位已有待审核的加盟申请，请等待审核结果。")
    return application


def decide_join_application(application_id: int, actor: User, *, approve: bool, reason: str = "") -> JoinApplication:
    """通过 / 驳回 a join application (regional administrator). Approval runs every hook in
    settings.JOIN_APPROVED_HOOKS with the application inside this transaction."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise TransitionNotAllowed("驳回时必须填写驳回原因。", field="reason")
    with transaction.atomic():
        application = JoinApplication.objects.select_for_update().select_related("enterprise").get(pk=application_id)
        target = JoinApplication.Status.APPROVED if approve else JoinApplication.Status.REJECTED
        if target not in JoinApplication.TRANSITIONS[application.status]:
            raise TransitionNotAllowed(f"该申请当前状态为“{application.get_status_display()}”，不能再审核。")
        old = application.status
        application.status = target
        application.reason = reason
        application.decided_by = actor
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        JoinApplicationStatusChange.objects.create(
            application=application, actor=actor, from_status=old, to_status=target, note=reason
        )
        audit.record(
            f"join_application.{'approve' if approve else 'reject'}",
            application,
            before={"status": old},
            after={"status": target},
            region_id=application.enterprise.region_id,
            note=reason,
            actor=actor,
        )
        if approve:
            for dotted in settings.JOIN_APPROVED_HOOKS:
                import_string(dotted)(application)
            text = f"您提交的申请加盟（{application.institution_name}）已审核通过。"
        else:
            text = f"您提交的申请加盟（{application.institution_name}）未通过审核，原因：{reason}"
        notify(application.applicant, Message.Kind.JOIN, text, link=reverse("enterprises:join"))
    return application


# --- Registration data (administrators only, in admin) -----------------------------------


def move_region_copies(enterprise: Enterprise) -> None:
    """The enterprise's orders and redemption applications (every EnterpriseRegionCopy)
    move with it to the administrators of its new region, as the join did before."""
    for model in apps.get_models():
        if issubclass(model, EnterpriseRegionCopy):
            model.objects.filter(enterprise=enterprise).update(region_id=enterprise.region_id)


def change_registration_data(
    enterprise_id: int, actor: User, *, reason: str, division: Division | None = None, uscc: str | None = None
) -> list[RegistrationChange]:
    """Change 注册所在地 and/or 统一社会信用代码 with a recorded reason. The pilot region
    follows the new division."""
    reason = (reason or "").strip()
    if not reason:
        raise RegistrationError("请填写变更原因。", field="reason")
    changes = []
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.select_for_update().select_related("division").get(pk=enterprise_id)
            old_region_id = enterprise.region_id
            if division is not None and division.pk != enterprise.division_id:
                changes.append(
                    RegistrationChange(
                        enterprise=enterprise,
                        field=RegistrationChange.Field.DIVISION,
                        old_value=f"{enterprise.division.full_name}（{enterprise.division_id}）",
                        new_value=f"{division.full_name}（{division.pk}）",
                        reason=reason,
                        actor=actor,
                    )
                )
                enterprise.division = division
                enterprise.region = region_for_division(division)
            if uscc and uscc != enterprise.uscc:
                changes.append(
                    RegistrationChange(
                        enterprise=enterprise,
                        field=RegistrationChange.Field.USCC,
                        old_value=enterprise.uscc,
                        new_value=uscc,
                        reason=reason,
                        actor=actor,
                    )
                )
                enterprise.uscc = uscc
            if not changes:
                raise RegistrationError("注册信息没有变化。")
            enterprise.save(update_fields=["division", "region", "uscc", "updated_at"])
            RegistrationChange.objects.bulk_create(changes)
            if old_region_id != enterprise.region_id:
                move_region_copies(enterprise)
            audit.record(
                "enterprise.registration_change",
                enterprise,
                before={c.field: c.old_value for c in changes},
                after={c.field: c.new_value for c in changes},
                note=reason,
                actor=actor,
            )
            admin_member = EnterpriseMember.objects.filter(enterprise=enterprise, is_admin=True).first()
            if admin_member:
                notify(
                    admin_member.user,
                    Message.Kind.SYSTEM,
                    "管理员变更了贵单位的注册信息："
                    + "；".join(f"{c.get_field_display()}改为{c.new_value}" for c in changes),
                )
    except IntegrityError:
        raise RegistrationError("该统一社会信用代码已注册。", field="uscc")
    return changes
