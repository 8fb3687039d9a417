"""Demo data of the catalogue (idempotent): institutions across the delta with sub-units,
service items and large instruments, and the institution login ``demo_seller``."""

from decimal import Decimal

from django.conf import settings
from stdnum.cn import uscc as uscc_check

from catalog import services
from catalog.models import Institution, InstitutionStaff, Instrument, ServiceCategory, ServiceItem, SubUnit
from catalog.taxonomy import seed_categories

ALL = ("WJI", "JSN", "QPU", "MAS", "XCH")

# (name, district, uscc body (17), address, contact, intro, sub-units, items, instruments)
# items: (name, third-level category, price or None, unit, cycle, region codes, description)
# instruments: (name, model, manufacturer, location, price per hour, specs, uses)
INSTITUTIONS = [
    (
        "苏州恒通检测有限公司",
        "320509",
        "91320509MA1HT0001",
        "苏州市吴江区江陵街道运东大道 888 号",
        ("周工", "0512-63001234"),
        "具备 CMA、CNAS 资质的第三方检验检测机构，专注汽车电子、电子电气与材料检测。",
        ["电磁兼容实验室", "材料分析实验室"],
        [
            (
                "汽车电子检测服务",
                "EMC 测试",
                "50000.00",
                "项",
                "15个工作日",
                ALL,
                "依据 GB/T 18655、ISO 11452 开展车载电子零部件电磁兼容（EMC）测试，出具 CMA/CNAS 检测报告。",
            ),
            (
                "电子电器产品电气安全检测",
                "电气安全检测",
                "6000.00",
                "次",
                "7个工作日",
                ("WJI", "XCH", "JSN"),
                "依据 GB 4943.1 对信息技术设备开展电气安全检测。",
            ),
            (
                "金属材料成分分析",
                "金属材料成分分析",
                "800.00",
                "个",
                "3个工作日",
                ALL,
                "直读光谱与 ICP 分析金属材料化学成分，检测报告具有 CMA 资质。",
            ),
            (
                "PCB 失效分析",
                "PCB 失效分析",
                None,
                "项",
                "面议",
                ("WJI", "XCH"),
                "针对 PCB/PCBA 开裂、短路、腐蚀等失效开展显微分析与原因判定。",
            ),
        ],
        [
            (
                "3 米法电波暗室",
                "FACT-3",
                "ETS-Lindgren",
                "吴江区运东大道 888 号 1 号楼",
                "800.00",
                "频率范围 30 MHz–18 GHz",
                "辐射发射与辐射抗扰度测试",
            ),
        ],
    ),
    (
        "上海电力大学",
        "310110",
        "12310000425006117X",
        "上海市杨浦区平凉路 2103 号",
        ("陈老师", "021-35303000"),
        "以电力为特色的高校，开放风洞、动力诊断等大型科研仪器共享服务。",
        ["能源与机械工程学院实验中心"],
        [
            (
                "风洞",
                "风洞试验",
                None,
                "小时",
                "面议",
                ("QPU", "WJI", "JSN"),
                "开口回流式风洞，可开展风力机叶片、建筑模型气动性能试验。",
            ),
            (
                "动力诊断综合实验台",
                "动力诊断试验",
                "1200.00",
                "天",
                "3个工作日",
                ("QPU", "JSN"),
                "旋转机械振动与故障诊断综合试验，提供测试数据与分析报告。",
            ),
        ],
        [
            (
                "低速回流风洞",
                "FD-09",
                "中国航空工业",
                "临港校区动力楼",
                "2000.00",
                "试验段 1.5 m × 1.2 m，风速 3–50 m/s",
                "风力机、建筑与车辆模型气动试验",
            ),
            (
                "扫描电子显微镜",
                "SU8010",
                "日立",
                "杨浦校区材料楼",
                "300.00",
                "分辨率 1.0 nm（15 kV）",
                "材料微观形貌观察与能谱分析",
            ),
        ],
    ),
    (
        "浙江大学嘉兴研究院",
        "330402",
        "12330400MB1A00021",
        "浙江省嘉兴市南湖区亚太路 906 号",
        ("吴老师", "0573-82580000"),
        "面向长三角企业提供研究开发、技术转移与科技咨询服务。",
        ["智能制造研究中心", "新材料研究中心"],
        [
            (
                "知识产权专利价值评估",
                "专利价值评估",
                "6800.00",
                "项",
                "10个工作日",
                ALL,
                "依据《专利资产评估指导意见》对企业专利开展价值评估，可用于质押融资与转让。",
            ),
            (
                "专利检索分析报告",
                "专利检索分析",
                "3000.00",
                "份",
                "7个工作日",
                ("JSN", "QPU", "WJI"),
                "面向研发立项的专利检索、技术路线分析与侵权风险提示。",
            ),
            (
                "人工智能算法开发服务",
                "人工智能算法开发",
                None,
                "项",
                "面议",
                ("JSN",),
                "机器视觉缺陷检测、预测性维护等 AI 算法定制开发。",
            ),
        ],
        [],
    ),
    (
        "马鞍山市产品质量监督检验所",
        "340503",
        "12340500MB0C00031",
        "安徽省马鞍山市花山区湖东中路 1 号",
        ("刘工", "0555-2400000"),
        "安徽省马鞍山市综合性质量检验机构，提供计量校准与材料检测。",
        [],
        [
            (
                "长度计量校准",
                "长度计量校准",
                "150.00",
                "台",
                "5个工作日",
                ("MAS",),
                "卡尺、千分尺、量块等长度计量器具校准，出具校准证书。",
            ),
            (
                "高分子材料性能测试",
                "高分子材料性能测试",
                "900.00",
                "个",
                "5个工作日",
                ("MAS", "XCH"),
                "拉伸、冲击、熔融指数等高分子材料力学与热性能测试。",
            ),
        ],
        [],
    ),
]


def _uscc(body17: str) -> str:
    body = body17[:17]
    try:
        return body + uscc_check.calc_check_digit(body)
    except Exception:  # noqa: BLE001 — a demo code with letters the checker rejects
        return (body + "0")[:18]


def load(out) -> list[tuple[str, str, str]]:
    from accounts.models import User
    from enterprises.models import Division, PilotRegion

    seed_categories(ServiceCategory)
    regions = {r.code: r for r in PilotRegion.objects.all()}
    logins = []
    for name, district, body, address, contact, intro, subs, items, instruments in INSTITUTIONS:
        institution = Institution.objects.filter(name=name).first()
        if institution is None:
            institution = services.create_institution(
                name=name,
                uscc=_uscc(body),
                region=Division.objects.get(code=district),
                address=address,
                introduction=intro,
                qualifications="CMA 资质认定、CNAS 实验室认可",
                contact_person=contact[0],
                contact_phone=contact[1],
            )
        for sub in subs:
            SubUnit.objects.get_or_create(institution=institution, name=sub)
        for iname, cat, price, unit, cycle, tags, desc in items:
            if ServiceItem.objects.filter(institution=institution, name=iname).exists():
                continue
            services.create_item(
                institution,
                name=iname,
                category=ServiceCategory.objects.get(level=3, name=cat),
                price_type=ServiceItem.PriceType.FIXED if price else ServiceItem.PriceType.NEGOTIABLE,
                price=Decimal(price) if price else None,
                unit=unit,
                service_cycle=cycle,
                description=desc,
                region_tags=[regions[c] for c in tags if c in regions],
            )
        for iname, model, maker, location, price, specs, uses in instruments:
            if Instrument.objects.filter(institution=institution, name=iname).exists():
                continue
            services.create_instrument(
                institution,
                name=iname,
                model_number=model,
                manufacturer=maker,
                location=location,
                booking_price=Decimal(price),
                specifications=specs,
                uses=uses,
            )

    hengtong = Institution.objects.get(name=INSTITUTIONS[0][0])
    user, created = User.objects.get_or_create(
        username="demo_seller",
        defaults={"real_name": "周恒通", "phone": "13800000101", "role": User.Role.INSTITUTION},
    )
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    if not InstitutionStaff.objects.filter(user=user).exists():
        services.add_staff(hengtong, user, is_admin=True)
    logins.append(("服务机构（卖家中心）", "demo_seller", "/catalog/seller/"))
    return logins
