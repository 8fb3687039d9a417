"""Demo data of the enterprises layer (idempotent): logins for every role, one demo
enterprise per pilot region, regional administrators. Passwords are for the demo only."""

from django.conf import settings
from stdnum.cn import uscc

from accounts.models import User
from accounts.roles import put_user_in_role_group
from enterprises.models import Division, Enterprise, EnterpriseMember, PilotRegion, RegionAdministrator
from messaging.models import Message
from messaging.services import notify

DEMO_PASSWORD = settings.DEMO_PASSWORD

# (username, real name, phone, region code, enterprise name, district code, uscc body)
DEMO_ENTERPRISES = [
    ("demo_wujiang", "沈一鸣", "13800000001", "WJI", "苏州吴江智造电子科技有限公司", "320509", "91320509MA1X0001"),
    ("demo_jiashan", "钱嘉禾", "13800000002", "JSN", "嘉善星河新材料有限公司", "330421", "91330421MA2B0002"),
    ("demo_qingpu", "陆青青", "13800000003", "QPU", "上海青浦澄研生物科技有限公司", "310118", "91310118MA1G0003"),
    ("demo_maanshan", "马安山", "13800000004", "MAS", "马鞍山钢联智能装备有限公司", "340503", "91340500MA2T0004"),
    ("demo_xiangcheng", "项成", "13800000005", "XCH", "苏州相城云测信息技术有限公司", "320507", "91320507MA1Y0005"),
]


def _uscc(body16: str) -> str:
    body = body16 + "0"
    body = body[:17]
    return body + uscc.calc_check_digit(body)


def _user(username: str, *, real_name: str, phone: str | None, role: str, staff=False, superuser=False) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"real_name": real_name, "phone": phone, "phone_verified": bool(phone), "role": role},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = staff or superuser
        user.is_superuser = superuser
        user.save()
    return user


def load(out) -> list[tuple[str, str, str]]:
    logins = []
    _user("admin", real_name="平台管理员", phone=None, role=User.Role.PLATFORM_ADMIN, superuser=True)
    logins.append(("平台管理员", "admin", "/admin/"))

    for region in PilotRegion.objects.all():
        username = f"admin_{region.code.lower()}"
        user = _user(username, real_name=f"{region.name}管理员", phone=None, role=User.Role.REGION_ADMIN, staff=True)
        RegionAdministrator.objects.get_or_create(user=user, region=region)
        put_user_in_role_group(user)
        logins.append((f"区域管理员（{region.name}）", username, "/admin/"))

    expert = _user("expert1", real_name="周专家", phone="13900000001", role=User.Role.EXPERT, staff=True)
    put_user_in_role_group(expert)
    logins.append(("专家", "expert1", "/admin/"))

    for username, real_name, phone, region_code, name, district, body in DEMO_ENTERPRISES:
        user = _user(username, real_name=real_name, phone=phone, role=User.Role.ENTERPRISE)
        region = PilotRegion.objects.get(code=region_code)
        enterprise, _ = Enterprise.objects.get_or_create(
            uscc=_uscc(body),
            defaults={
                "name": name,
                "division": Division.objects.get(code=district),
                "region": region,
                "legal_representative": real_name,
                "contact_person": real_name,
                "contact_phone": phone,
                "industry": "软件和信息技术服务业",
            },
        )
        EnterpriseMember.objects.get_or_create(user=user, defaults={"enterprise": enterprise, "is_admin": True})
        if not Message.objects.filter(recipient=user).exists():
            notify(
                user,
                Message.Kind.SYSTEM,
                "欢迎使用长三角科技创新券通用通兑平台！请先在“企业信息管理-基本信息”中完善企业基本信息。",
            )
        logins.append((f"企业用户（{region.name}）", username, "/buyer/"))

    _demo_wujiang_details()
    return logins


def _demo_wujiang_details() -> None:
    """demo_wujiang: 基本信息 complete and a licence image."""
    import datetime
    import io
    from decimal import Decimal

    from django.core.files.base import ContentFile
    from PIL import Image

    membership = EnterpriseMember.objects.select_related("enterprise").filter(user__username="demo_wujiang").first()
    if membership is None:
        return
    enterprise = membership.enterprise
    if not enterprise.basic_info_complete:
        enterprise.legal_representative = enterprise.legal_representative or "沈一鸣"
        enterprise.established_on = datetime.date(2016, 5, 18)
        enterprise.registered_capital = Decimal("2000.00")
        enterprise.industry = enterprise.industry or "软件和信息技术服务业"
        enterprise.employees = 150
        enterprise.rd_staff = 42
        enterprise.last_year_revenue = Decimal("12500.00")
        enterprise.last_year_rd_spend = Decimal("980.00")
        enterprise.is_tech_sme = True
        enterprise.tech_sme_no = "20213205090A000123"
        enterprise.contact_person = enterprise.contact_person or "沈一鸣"
        enterprise.contact_phone = enterprise.contact_phone or "13800000001"
        enterprise.address = "江苏省苏州市吴江区开平路1000号"
        enterprise.introduction = "专注于工业电子与智能制造的科技型中小企业，拥有省级工程技术研究中心。"
        enterprise.save()
    if not enterprise.licence:
        buf = io.BytesIO()
        Image.new("RGB", (600, 400), (235, 225, 200)).save(buf, format="PNG")
        enterprise.licence.save("licence", ContentFile(buf.getvalue()), save=True)
