"""Thin views of the catalogue: public pages (search, item, instrument, shop, pictures) and
the 卖家中心. Reads through catalog.selectors, writes through catalog.services."""

import re
from functools import wraps
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from catalog import selectors, services
from catalog.exceptions import CatalogError
from catalog.filters import ItemFilter, clean_sort
from catalog.forms import InstitutionForm, InstrumentForm, OperatorForm, ServiceItemForm, SubUnitForm
from catalog.models import InstitutionStaff
from catalog.search import SORTS, CappedPaginator, ordered_results, parse_terms
from config.menus import url_or_none
from config.pagination import paginate
from enterprises.selectors import division_with_parents

# --- Public pages ---------------------------------------------------------------------------


def search(request):
    terms = parse_terms(request.GET.get("q"))
    sort = clean_sort(request.GET.get("sort"))
    filterset = ItemFilter(request.GET or None, queryset=selectors.public_items())
    filtered = filterset.qs if filterset.is_bound else selectors.public_items()
    results = ordered_results(filtered, terms, sort, display=selectors.public_items())
    page = paginate(request, results, paginator_class=CappedPaginator)
    return render(
        request,
        "catalog/search.html",
        {
            "q": " ".join(terms),
            "filter": filterset,
            "page": page,
            "sort": sort,
            "sorts": SORTS,
        },
    )


def order_url(item) -> str | None:
    for kwargs in ({"args": [item.pk]}, {"kwargs": {"item_id": item.pk}}, {}):
        try:
            url = reverse("orders:create", **kwargs)
        except NoReverseMatch:
            continue
        return url if kwargs else f"{url}?item={item.pk}"
    return None


@require_GET
def item_detail(request, item_id: int):
    item = selectors.public_item(item_id)
    return render(request, "catalog/item_detail.html", {"item": item, "order_url": order_url(item)})


@require_GET
def instrument_detail(request, instrument_id: int):
    instrument = selectors.public_instrument(instrument_id)
    return render(request, "catalog/instrument_detail.html", {"instrument": instrument})


@require_GET
def shop(request, institution_id: int):
    institution = selectors.public_institution(institution_id)
    tab = "instruments" if request.GET.get("tab") == "instruments" else "items"
    if tab == "items":
        page = paginate(request, selectors.public_items().filter(institution=institution).order_by("-created_at"))
    else:
        page = paginate(request, selectors.public_instruments().filter(institution=institution))
    return render(
        request,
        "catalog/shop.html",
        {
            "institution": institution,
            "tab": tab,
            "page": page,
            "sub_units": list(institution.sub_units.all()),
        },
    )


_PUBLIC_NAME = re.compile(r"^public/catalog/[0-9a-f]{32}\.(jpg|png)$")


@require_GET
def public_image(request, name: str):
    """Catalogue pictures are public (not private data): served with caching headers."""
    if not _PUBLIC_NAME.match(name):
        raise Http404("图片不存在")
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("图片不存在")
    response = FileResponse(handle, content_type="image/png" if name.endswith(".png") else "image/jpeg")
    response["Cache-Control"] = "public, max-age=604800, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 卖家中心 --------------------------------------------------------------------------------


SELLER_MENU = [
    ("首页", "catalog:seller_home", False),
    ("店铺信息", "catalog:seller_profile", True),
    ("子单位", "catalog:seller_sub_units", False),
    ("服务项目", "catalog:seller_items", False),
    ("大型仪器", "catalog:seller_instruments", False),
    ("订单管理", "orders:seller_list", False),
    ("兑付申请", "redemption:claim_list", False),
    ("用户管理", "catalog:seller_staff", True),
    ("站内信", "messaging:list", False),
]


class MenuEntry(NamedTuple):
    label: str
    url: str | None


def seller_menu(is_admin: bool) -> tuple[MenuEntry, ...]:
    """The menu for an institution's administrator or other staff. A tuple of tuples: the
    template memoises the menu's HTML under it (config.partial_memo)."""
    return tuple(
        MenuEntry(label, url_or_none(name)) for label, name, admin_only in SELLER_MENU if is_admin or not admin_only
    )


def seller_view(admin_only: bool = False):
    """卖家中心 pages: a logged-in institution user; anyone else gets a 404."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            staff = selectors.staff_for_user(request.user)
            if staff is None or (admin_only and not staff.is_admin):
                raise Http404("没有关联的服务机构")
            request.staff = staff
            request.institution = staff.institution
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def seller_render(request, template: str, menu: str, context: dict):
    context = {
        "institution": request.institution,
        "seller_menu": seller_menu(request.staff.is_admin),
        "menu": menu,
        **context,
    }
    return render(request, template, context)


def _domain_error(request, form, exc) -> None:
    if form is not None:
        form.add_error(None, str(exc))
    else:
        messages.error(request, str(exc))


@seller_view()
def seller_home(request):
    institution = request.institution
    institution.region = division_with_parents(institution.region_id)  # 所在地区 in one query
    items = institution.items.aggregate(total=Count("pk"), on_shelf=Count("pk", filter=Q(is_on_shelf=True)))
    context = {
        "item_count": items["total"],
        "on_shelf_count": items["on_shelf"],
        "instrument_count": institution.instruments.count(),
        "sub_unit_count": institution.sub_units.count(),
        "orders_url": url_or_none("orders:seller_list"),
    }
    return seller_render(request, "seller/home.html", "首页", context)


@seller_view(admin_only=True)
def seller_profile(request):
    institution = request.institution
    form = InstitutionForm(request.POST or None, request.FILES or None, instance=institution)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "logo_upload"}
        try:
            services.update_institution(institution, logo=form.cleaned_data.get("logo_upload"), **data)
        except (CatalogError, ValidationError) as exc:
            _domain_error(request, form, exc.messages[0] if isinstance(exc, ValidationError) else exc)
        else:
            messages.success(request, "店铺信息已保存。")
            return redirect("catalog:seller_profile")
    elif request.method == "POST":
        institution.refresh_from_db()
    return seller_render(request, "seller/profile.html", "店铺信息", {"form": form})


@seller_view()
def seller_sub_units(request):
    institution = request.institution
    form = SubUnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_sub_unit(institution, **form.cleaned_data)
        except CatalogError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, "子单位已新增。")
            return redirect("catalog:seller_sub_units")
    page = paginate(request, institution.sub_units.order_by("id"))
    return seller_render(request, "seller/sub_units.html", "子单位", {"form": form, "page": page})


@seller_view()
def seller_sub_unit_edit(request, sub_unit_id: int):
    sub_unit = selectors.seller_sub_unit(request.institution, sub_unit_id)
    form = SubUnitForm(request.POST or None, instance=sub_unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_sub_unit(
                request.institution, selectors.seller_sub_unit(request.institution, sub_unit_id), **form.cleaned_data
            )
        except CatalogError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, "子单位已保存。")
            return redirect("catalog:seller_sub_units")
    return seller_render(request, "seller/sub_unit_form.html", "子单位", {"form": form, "sub_unit": sub_unit})


@require_POST
@seller_view()
def seller_sub_unit_delete(request, sub_unit_id: int):
    sub_unit = selectors.seller_sub_unit(request.institution, sub_unit_id)
    services.delete_sub_unit(request.institution, sub_unit)
    messages.success(request, "子单位已删除。")
    return redirect("catalog:seller_sub_units")


@seller_view()
def seller_items(request):
    qs = selectors.seller_items(request.institution)
    shelf = request.GET.get("shelf")
    if shelf == "on":
        qs = qs.filter(is_on_shelf=True)
    elif shelf == "off":
        qs = qs.filter(is_on_shelf=False)
    name = (request.GET.get("name") or "").strip()[:50]
    if name:
        qs = qs.filter(name__icontains=name)
    page = paginate(request, qs)
    return seller_render(request, "seller/items.html", "服务项目", {"page": page, "shelf": shelf, "name": name})


def _item_form_view(request, item=None):
    institution = request.institution
    form = ServiceItemForm(request.POST or None, request.FILES or None, instance=item, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        image = data.pop("image", None)
        region_tags = list(data.pop("region_tags", []))
        try:
            if item is None:
                item = services.create_item(institution, region_tags=region_tags, image=image, **data)
                messages.success(request, "服务项目已发布。")
            else:
                services.update_item(item, region_tags=region_tags, image=image, **data)
                messages.success(request, "服务项目已保存。")
        except (CatalogError, ValidationError, IntegrityError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            return redirect("catalog:seller_item_edit", item_id=item.pk)
    context = {"form": form, "item": item, "images": list(item.images.all()) if item else []}
    return seller_render(request, "seller/item_form.html", "服务项目", context)


@seller_view()
def seller_item_create(request):
    return _item_form_view(request)


@seller_view()
def seller_item_edit(request, item_id: int):
    return _item_form_view(request, selectors.seller_item(request.institution, item_id))


@require_POST
@seller_view()
def seller_item_shelf(request, item_id: int):
    item = selectors.seller_item(request.institution, item_id)
    on_shelf = request.POST.get("on_shelf") == "1"
    services.set_item_shelf(item, on_shelf)
    messages.success(request, f"“{item.name}”已{'上架' if on_shelf else '下架'}。")
    return redirect(_safe_next(request, reverse("catalog:seller_items")))


@require_POST
@seller_view()
def seller_item_image_delete(request, item_id: int, image_id: int):
    item = selectors.seller_item(request.institution, item_id)
    try:
        services.delete_item_image(item, image_id)
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "图片已删除。")
    return redirect("catalog:seller_item_edit", item_id=item.pk)


@seller_view()
def seller_instruments(request):
    page = paginate(request, selectors.seller_instruments(request.institution))
    return seller_render(request, "seller/instruments.html", "大型仪器", {"page": page})


def _instrument_form_view(request, instrument=None):
    institution = request.institution
    form = InstrumentForm(request.POST or None, request.FILES or None, instance=instrument, institution=institution)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        image = data.pop("image", None)
        try:
            if instrument is None:
                instrument = services.create_instrument(institution, image=image, **data)
                messages.success(request, "大型仪器已发布。")
            else:
                services.update_instrument(instrument, image=image, **data)
                messages.success(request, "大型仪器已保存。")
        except (CatalogError, ValidationError, IntegrityError) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            return redirect("catalog:seller_instrument_edit", instrument_id=instrument.pk)
    context = {"form": form, "instrument": instrument, "images": list(instrument.images.all()) if instrument else []}
    return seller_render(request, "seller/instrument_form.html", "大型仪器", context)


@seller_view()
def seller_instrument_create(request):
    return _instrument_form_view(request)


@seller_view()
def seller_instrument_edit(request, instrument_id: int):
    return _instrument_form_view(request, selectors.seller_instrument(request.institution, instrument_id))


@require_POST
@seller_view()
def seller_instrument_shelf(request, instrument_id: int):
    instrument = selectors.seller_instrument(request.institution, instrument_id)
    on_shelf = request.POST.get("on_shelf") == "1"
    services.set_instrument_shelf(instrument, on_shelf)
    messages.success(request, f"“{instrument.name}”已{'上架' if on_shelf else '下架'}。")
    return redirect("catalog:seller_instruments")


@require_POST
@seller_view()
def seller_instrument_image_delete(request, instrument_id: int, image_id: int):
    instrument = selectors.seller_instrument(request.institution, instrument_id)
    try:
        services.delete_instrument_image(instrument, image_id)
    except CatalogError as exc:
        messages.error(request, str(exc))
    return redirect("catalog:seller_instrument_edit", instrument_id=instrument.pk)


@seller_view(admin_only=True)
def seller_staff(request):
    institution = request.institution
    form = OperatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_operator(institution, **form.cleaned_data)
        except CatalogError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "用户已新增。")
            return redirect("catalog:seller_staff")
    page = paginate(
        request, InstitutionStaff.objects.filter(institution=institution).select_related("user").order_by("id")
    )
    return seller_render(request, "seller/staff.html", "用户管理", {"form": form, "page": page})


@require_POST
@seller_view(admin_only=True)
def seller_staff_remove(request, staff_id: int):
    if not InstitutionStaff.objects.filter(institution=request.institution, pk=staff_id).exists():
        raise Http404("用户不存在")  # another institution's staff: never reveal it
    try:
        services.remove_staff(request.institution, staff_id, by=request.user)
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "用户已删除。")
    return redirect("catalog:seller_staff")


def _safe_next(request, default: str) -> str:
    nxt = request.POST.get("next") or ""
    ok = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure())
    return nxt if nxt and ok else default
