"""The 买家中心 left menu (DESIGN §8). An entry whose URL name does not exist yet is shown
as 即将开放 and leads nowhere: never to fake data."""

from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

BUYER_MENU = [
    ("首页", [("首页", "buyer_home")]),
    ("企业信息管理", [("基本信息", "enterprises:basic_info")]),
    ("用户管理", [("用户管理", "enterprises:members")]),
    ("创新券管理", [("创新券申请", "vouchers:application_list"), ("额度查询", "vouchers:quota")]),
    ("订单管理", [("订单管理", "orders:buyer_list")]),
    ("兑付管理", [("兑付管理", "redemption:list"), ("快速兑付", "redemption:quick_list")]),
    (
        "用户收藏管理",
        [
            ("机构收藏列表", "favorites:institutions"),
            ("项目收藏列表", "favorites:items"),
            ("仪器收藏列表", "favorites:instruments"),
        ],
    ),
    ("申请加盟", [("申请加盟", "enterprises:join")]),
    (
        "账号信息管理",
        [("个人信息", "accounts:profile"), ("密码修改", "accounts:password"), ("站内信", "messaging:list")],
    ),
]


def url_or_none(name: str) -> str | None:
    # Menus reverse the same names on every page: remember them per URLconf and prefix.
    return _cached_reverse(name, get_script_prefix(), get_urlconf())


@lru_cache(maxsize=512)
def _cached_reverse(name: str, prefix: str, urlconf) -> str | None:
    try:
        return reverse(name, urlconf=urlconf)
    except NoReverseMatch:
        return None


def buyer_menu() -> list[dict]:
    groups = []
    for title, entries in BUYER_MENU:
        items = [{"label": label, "url": url_or_none(name)} for label, name in entries]
        groups.append({"title": title, "items": items, "labels": [i["label"] for i in items]})
    return groups
