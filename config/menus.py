"""The 买家中心 left menu (DESIGN §8). An entry whose URL name does not exist yet is shown
as 即将开放 and leads nowhere: never to fake data."""

from functools import lru_cache

from django.core.exceptions import ImproperlyConfigured
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


# A list page links every row to its object: reversing "orders:buyer_detail" once per row
# costs ~40 µs each, while the URL is the same text around the pk. pk_url() reverses the
# name once per URLconf and prefix with a marker pk and fills in the row's pk: exactly
# what reverse(name, args=[pk]) gives for a URL whose only argument is an <int:...>.
_PK_MARKER = 918273645546372819


def pk_url(name: str, pk) -> str:
    head, tail = _pk_url_parts(name, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


@lru_cache(maxsize=512)
def _pk_url_parts(name: str, prefix: str, urlconf) -> tuple[str, str]:
    url = reverse(name, args=[_PK_MARKER], urlconf=urlconf)
    head, marker, tail = url.partition(str(_PK_MARKER))
    if not marker or reverse(name, args=[7], urlconf=urlconf) != f"{head}7{tail}":
        raise ImproperlyConfigured(f"{name} does not take one integer argument")
    return head, tail


def buyer_menu() -> list[dict]:
    groups = []
    for title, entries in BUYER_MENU:
        items = [{"label": label, "url": url_or_none(name)} for label, name in entries]
        # ``single``: a group of one entry named like the group shows as that one link.
        single = items[0] if len(items) == 1 and items[0]["label"] == title else None
        groups.append({"title": title, "items": items, "labels": [i["label"] for i in items], "single": single})
    return groups
