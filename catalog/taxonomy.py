"""The seed taxonomy of science-and-technology services (three levels). Used by the data
migration and by tests/demo to restore it after a flush; editable in admin afterwards."""

TAXONOMY = {
    "检验检测": {
        "汽车电子": ["EMC 测试", "汽车电子可靠性测试", "车载软件功能测试", "新能源汽车电池检测"],
        "材料检测": ["金属材料成分分析", "高分子材料性能测试", "材料失效分析", "涂层与镀层检测"],
        "电子电气": ["电气安全检测", "电磁兼容检测", "芯片可靠性测试", "PCB 失效分析"],
        "环境检测": ["水质检测", "空气质量检测", "土壤检测", "噪声与振动检测"],
        "食品药品检测": ["食品安全检测", "药品质量检测", "化妆品检测"],
        "计量校准": ["长度计量校准", "温度计量校准", "力学计量校准"],
    },
    "知识产权": {
        "专利": ["专利价值评估", "专利检索分析", "专利申请代理", "专利导航"],
        "商标": ["商标注册代理", "商标监测"],
        "版权": ["软件著作权登记", "作品著作权登记"],
        "知识产权运营": ["知识产权质押融资评估", "知识产权贯标咨询"],
    },
    "研究开发": {
        "工业设计": ["产品外观设计", "结构设计", "工业设计咨询"],
        "软件与信息技术": ["软件开发与测试", "数据分析服务", "人工智能算法开发"],
        "新材料研发": ["新材料配方研发", "材料中试服务"],
        "生物医药研发": ["药物筛选", "临床前研究", "生物样本分析"],
        "芯片与集成电路": ["芯片设计服务", "集成电路流片服务", "芯片封装测试"],
    },
    "技术转移": {
        "技术交易": ["技术合同登记", "技术转让服务", "技术许可服务"],
        "成果转化": ["科技成果评价", "成果转化对接", "概念验证服务"],
    },
    "大型仪器共享": {
        "分析测试仪器": ["电子显微镜测试", "色谱质谱分析", "光谱分析", "X 射线衍射分析"],
        "工程试验设备": ["风洞试验", "振动台试验", "动力诊断试验"],
        "计算资源": ["高性能计算服务", "云计算资源租用"],
    },
    "科技咨询": {
        "战略咨询": ["企业技术发展战略咨询", "科技项目申报辅导"],
        "管理咨询": ["研发管理体系咨询", "质量管理体系认证咨询"],
        "科技查新": ["科技查新检索", "文献情报分析"],
    },
    "创业孵化": {
        "孵化服务": ["创业辅导", "众创空间入驻服务"],
        "投融资服务": ["科技金融对接", "企业估值服务"],
    },
    "标准与认证": {
        "标准化服务": ["标准制修订咨询", "标准查询与比对"],
        "认证服务": ["产品认证", "体系认证", "绿色产品认证"],
    },
}


def seed_categories(Category) -> None:
    """Create the taxonomy with ``Category`` (the real or the historical model); idempotent."""
    for i, (top, seconds) in enumerate(TAXONOMY.items()):
        l1, _ = Category.objects.get_or_create(name=top, parent=None, defaults={"level": 1, "sort_order": i})
        for j, (second, thirds) in enumerate(seconds.items()):
            l2, _ = Category.objects.get_or_create(name=second, parent=l1, defaults={"level": 2, "sort_order": j})
            for k, third in enumerate(thirds):
                Category.objects.get_or_create(name=third, parent=l2, defaults={"level": 3, "sort_order": k})
