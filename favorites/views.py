"""收藏 buttons (htmx, no page reload) and the three lists of 用户收藏管理 in 买家中心."""

from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from config.pagination import paginate
from favorites import selectors, services
from favorites.models import Favorite

LISTS = {
    Favorite.Kind.INSTITUTION: ("机构收藏列表", "favorites/institutions.html"),
    Favorite.Kind.ITEM: ("项目收藏列表", "favorites/items.html"),
    Favorite.Kind.INSTRUMENT: ("仪器收藏列表", "favorites/instruments.html"),
}


def _check_kind(kind: str) -> str:
    if kind not in selectors.KINDS:
        raise Http404("收藏类型不存在")
    return kind


def _page_path(request) -> str:
    """The path of the page showing the button (htmx sends its URL)."""
    path = urlsplit(request.headers.get("HX-Current-URL") or "").path
    return path if path.startswith("/catalog/") else "/"


def _button(request, kind: str, target, is_favorite: bool):
    page_path = _page_path(request)
    login_url = f"{reverse('account_login')}?{urlencode({'next': page_path})}"
    return render(
        request,
        "favorites/partials/button.html",
        {"kind": kind, "target": target, "is_favorite": is_favorite, "login_url": login_url, "page_path": page_path},
    )


@require_GET
def button(request, kind: str, target_id: int):
    target = selectors.favorable_target(_check_kind(kind), target_id)
    return _button(request, kind, target, selectors.is_favorite(request.user, kind, target.pk))


@require_POST
@login_required
def toggle(request, kind: str, target_id: int):
    target = selectors.favorable_target(_check_kind(kind), target_id)
    now = services.toggle_favorite(request.user, kind, target)
    if request.htmx:
        return _button(request, kind, target, now)
    messages.success(request, "已收藏。" if now else "已取消收藏。")
    nxt = str(request.POST.get("next", ""))
    return redirect(nxt if nxt.startswith("/catalog/") and "//" not in nxt and "\\" not in nxt else "home")


@require_POST
@login_required
def remove(request, kind: str, target_id: int):
    _check_kind(kind)
    services.remove_favorite(request.user, kind, target_id)
    messages.success(request, "已取消收藏。")
    return redirect(f"favorites:{_list_name(kind)}")


def _list_name(kind: str) -> str:
    return {"institution": "institutions", "item": "items", "instrument": "instruments"}[kind]


def _list(request, kind: str):
    label, template = LISTS[kind]
    page = paginate(request, selectors.favorites_for_user(request.user, kind))
    return render(request, template, {"page": page, "menu": label, "kind": kind})


@login_required
def institutions(request):
    return _list(request, Favorite.Kind.INSTITUTION)


@login_required
def items(request):
    return _list(request, Favorite.Kind.ITEM)


@login_required
def instruments(request):
    return _list(request, Favorite.Kind.INSTRUMENT)
