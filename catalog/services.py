"""Every write of the catalogue (DESIGN §3): one transaction each, the search columns of
service items kept current here (never in save() or signals), images re-encoded and
thumbnailed on upload."""

import io
import uuid

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models.fields.files import FieldFile
from PIL import Image

from accounts import audit
from accounts.identity import forget_identity
from catalog.exceptions import CatalogError
from catalog.models import (
    Institution,
    InstitutionStaff,
    Instrument,
    InstrumentImage,
    ServiceCategory,
    ServiceItem,
    ServiceItemImage,
    SubUnit,
)
from catalog.search import SEP, ngrams, search_text_for, vector_expression
from catalog.selectors import STAFF_MEMO, seller_center_cache_key
from config.cache import forget
from config.uploads import clean_image
from enterprises.selectors import region_for_division

THUMB_SIZE = (480, 360)
MAX_IMAGES = 8
SYNC_REINDEX_LIMIT = 1000

INSTITUTION_FIELDS = (
    "name",
    "address",
    "introduction",
    "qualifications",
    "contact_person",
    "contact_phone",
    "contact_email",
    "website",
)
SUB_UNIT_FIELDS = ("name", "introduction", "contact_person", "contact_phone")
ITEM_FIELDS = ("name", "sub_unit", "category", "price_type", "price", "unit", "description", "service_cycle")
INSTRUMENT_FIELDS = (
    "name",
    "model_number",
    "manufacturer",
    "sub_unit",
    "location",
    "specifications",
    "uses",
    "booking_price",
    "booking_unit",
    "status",
)


# --- Images -------------------------------------------------------------------------------


def make_thumbnail(content: ContentFile, size=THUMB_SIZE) -> ContentFile:
    """A JPEG thumbnail (at most ``size``) of an already validated image."""
    content.seek(0)
    with Image.open(content) as image:
        image = image.convert("RGB")
        image.thumbnail(size)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=82, optimize=True)
    content.seek(0)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _clean_picture(uploaded) -> tuple[ContentFile, ContentFile]:
    image = clean_image(uploaded)  # raises ValidationError with a Chinese message
    return image, make_thumbnail(image)


# --- Search index -------------------------------------------------------------------------


def index_item(item: ServiceItem) -> None:
    """Write ``item``'s search columns from its current name, description and institution."""
    text = search_text_for(item.name, item.description, item.institution.name)
    ServiceItem.objects.filter(pk=item.pk).update(search_text=text, search_vector=vector_expression(text))
    item.search_text = text


def reindex_items(item_ids=None, *, institution_id=None, min_id=None, batch_size: int = 2000) -> int:
    """Rebuild the search columns of many items (all, some ids, or one institution's) in
    set-based batches; safe to run twice. Returns the number of items indexed."""
    qs = ServiceItem.objects.order_by("id")
    if item_ids is not None:
        qs = qs.filter(id__in=list(item_ids))
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    done = 0
    last_id = (min_id - 1) if min_id else 0
    while True:
        rows = list(
            qs.filter(id__gt=last_id).values_list("id", "name", "description", "institution__name")[:batch_size]
        )
        if not rows:
            return done
        ids, texts, lexemes = [], [], []
        for pk, name, description, org in rows:
            text = search_text_for(name, description, org)
            ids.append(pk)
            texts.append(text)
            lexemes.append(SEP.join(ngrams(text)))
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"""UPDATE {ServiceItem._meta.db_table} AS t
                    SET search_text = v.txt,
                        search_vector = array_to_tsvector(string_to_array(v.lex, %s))
                    FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, txt, lex)
                    WHERE t.id = v.id""",
                [SEP, ids, texts, lexemes],
            )
        done += len(rows)
        last_id = ids[-1]


def _reindex_institution(institution: Institution) -> None:
    if institution.items.count() <= SYNC_REINDEX_LIMIT:
        reindex_items(institution_id=institution.pk)
    else:
        from catalog.tasks import reindex_institution_items

        reindex_institution_items.delay_on_commit(institution.pk)


# --- Institutions and staff -----------------------------------------------------------------


@transaction.atomic
def create_institution(*, name: str, uscc: str, region, admin_user=None, **fields) -> Institution:
    if Institution.objects.filter(uscc=uscc).exists():
        raise CatalogError("该统一社会信用代码的服务机构已存在。")
    institution = Institution.objects.create(name=name, uscc=uscc, region=region, **fields)
    if admin_user is not None:
        add_staff(institution, admin_user, is_admin=True)
    return institution


@transaction.atomic
def update_institution(institution: Institution, *, logo=None, **fields) -> Institution:
    institution = Institution.objects.select_for_update().get(pk=institution.pk)
    old_name = institution.name
    before = _state(institution, [*fields, "logo"])
    for key, value in fields.items():
        if key not in INSTITUTION_FIELDS and key != "region":
            raise CatalogError(f"不能修改字段 {key}。")
        setattr(institution, key, value)
    if logo is not None:
        image, thumb = _clean_picture(logo)
        institution.logo.save(image.name, image, save=False)
        institution.logo_thumb.save(thumb.name, thumb, save=False)
    institution.save()
    _audit(
        "catalog.institution.update",
        institution,
        institution,
        before=before,
        after=_state(institution, [*fields, "logo"]),
    )
    if institution.name != old_name:
        _reindex_institution(institution)
    return institution


@transaction.atomic
def add_staff(institution: Institution, user, *, is_admin: bool = False) -> InstitutionStaff:
    if InstitutionStaff.objects.filter(user=user).exclude(institution=institution).exists():
        raise CatalogError("该用户已是其他服务机构的用户。")
    staff, _ = InstitutionStaff.objects.update_or_create(
        user=user, defaults={"institution": institution, "is_admin": is_admin}
    )
    if user.role != user.Role.INSTITUTION:
        user.role = user.Role.INSTITUTION
        user.save(update_fields=["role"])
    forget_staff(user)
    _audit("catalog.staff.add", staff, institution, after={"user": user.pk, "is_admin": is_admin})
    return staff


@transaction.atomic
def remove_staff(institution: Institution, staff_id: int, *, by) -> None:
    staff = InstitutionStaff.objects.filter(institution=institution, pk=staff_id).first()
    if staff is None:
        raise CatalogError("用户不存在。")
    if staff.user_id == by.pk:
        raise CatalogError("不能删除自己。")
    if staff.is_admin:
        raise CatalogError("不能删除机构管理员。")
    _audit("catalog.staff.remove", staff, institution, before={"user": staff.user_id, "is_admin": staff.is_admin})
    staff.delete()
    forget_staff(staff.user_id)


@transaction.atomic
def create_operator(institution: Institution, *, username: str, real_name: str, phone: str, password: str):
    """用户管理: an institution administrator adds an operator account for the shop."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise CatalogError("该用户名已被使用。")
    if phone and User.objects.filter(phone=phone).exists():
        raise CatalogError("该手机号码已被使用。")
    user = User(username=username, real_name=real_name, phone=phone or None, role=User.Role.INSTITUTION)
    user.set_password(password)
    user.save()
    add_staff(institution, user, is_admin=False)
    return user


def on_join_approved(application) -> Institution:
    """JOIN_APPROVED_HOOKS: an approved 申请加盟 makes the applying enterprise a service
    institution (same 统一社会信用代码 and location) whose applicant is its administrator.
    Runs inside the approval's transaction; running it twice changes nothing."""
    enterprise = application.enterprise
    institution = Institution.objects.filter(uscc=enterprise.uscc).first()
    if institution is None:
        qualifications = "；".join(
            part
            for part in (
                f"机构类型：{application.institution_type}" if application.institution_type else "",
                f"服务领域：{application.service_fields}" if application.service_fields else "",
            )
            if part
        )
        institution = Institution.objects.create(
            name=application.institution_name,
            uscc=enterprise.uscc,
            region=enterprise.division,
            address=application.address,
            introduction=application.introduction,
            qualifications=qualifications,
            contact_person=application.contact_person,
            contact_phone=application.contact_phone,
            join_application=application,
        )
    user = application.applicant
    if not InstitutionStaff.objects.filter(user=user).exists():
        InstitutionStaff.objects.create(user=user, institution=institution, is_admin=True)
        forget_staff(user)
    return institution


def forget_staff(user) -> None:
    """After a change to ``user``'s InstitutionStaff row (a user object or an id): drop
    what staff_for_user remembered on the object and the header's cached 卖家中心 flag
    (catalog.selectors.shows_seller_center), at once and again after the commit, so a page
    that read the old row while the transaction was open does not keep its answer."""
    if not isinstance(user, int):
        if hasattr(user, STAFF_MEMO):
            delattr(user, STAFF_MEMO)
        user = user.pk
    forget(seller_center_cache_key(user))
    forget_identity(user)  # the staff row remembered with the user (accounts.identity)


# --- Sub-units ------------------------------------------------------------------------------


@transaction.atomic
def save_sub_unit(institution: Institution, sub_unit: SubUnit | None = None, **fields) -> SubUnit:
    if sub_unit is None:
        sub_unit = SubUnit(institution=institution)
    elif sub_unit.institution_id != institution.pk:
        raise CatalogError("子单位不存在。")
    for key, value in fields.items():
        if key not in SUB_UNIT_FIELDS:
            raise CatalogError(f"不能修改字段 {key}。")
        setattr(sub_unit, key, value)
    if SubUnit.objects.filter(institution=institution, name=sub_unit.name).exclude(pk=sub_unit.pk).exists():
        raise CatalogError("已有同名的子单位。")
    sub_unit.save()
    return sub_unit


@transaction.atomic
def delete_sub_unit(institution: Institution, sub_unit: SubUnit) -> None:
    if sub_unit.institution_id != institution.pk:
        raise CatalogError("子单位不存在。")
    sub_unit.delete()  # items and instruments keep existing without a sub-unit


# --- Service items --------------------------------------------------------------------------


def _state(obj, fields) -> dict:
    """The audited fields of a catalogue object (related objects by their key, files by
    their stored name)."""
    values = {name: getattr(obj, name) for name in fields}
    return {name: value.name if isinstance(value, FieldFile) else value for name, value in values.items()}


def _pilot_region_id(institution: Institution) -> int | None:
    region = region_for_division(institution.region) if institution.region_id else None
    return region.pk if region else None


def record_admin_change(action: str, obj, institution: Institution, form, *, change: bool) -> None:
    """A catalogue object saved in Django admin: its changed fields, in the audit trail."""
    audit.record_form_change(action, obj, form, change=change, region_id=_pilot_region_id(institution))


def _audit(action: str, obj, institution: Institution, *, before=None, after=None, note: str = "") -> None:
    """One audit row for a change to what an institution offers (DESIGN §11: prices and
    shelves are what buyers order from), filed under the pilot region of the institution's
    division so that region's administrators see it."""
    region_id = _pilot_region_id(institution)
    if before is None:
        audit.record(action, obj, after=after, region_id=region_id, note=note)
    else:
        audit.record_changes(action, obj, before, after, region_id=region_id, note=note)


def _check_item_fields(institution: Institution, fields: dict) -> None:
    category = fields.get("category")
    if category is not None and category.level != ServiceCategory.Level.THIRD:
        raise CatalogError("请选择三级服务类别。")
    sub_unit = fields.get("sub_unit")
    if sub_unit is not None and sub_unit.institution_id != institution.pk:
        raise CatalogError("子单位不存在。")
    if fields.get("price_type") == ServiceItem.PriceType.FIXED and fields.get("price") is None:
        raise CatalogError("一口价的服务项目必须填写价格。")
    if fields.get("price_type") == ServiceItem.PriceType.NEGOTIABLE:
        fields["price"] = None


@transaction.atomic
def create_item(institution: Institution, *, region_tags=(), image=None, **fields) -> ServiceItem:
    unknown = set(fields) - set(ITEM_FIELDS) - {"is_on_shelf"}
    if unknown:
        raise CatalogError(f"未知字段：{', '.join(sorted(unknown))}")
    _check_item_fields(institution, fields)
    item = ServiceItem.objects.create(institution=institution, **fields)
    item.region_tags.set(region_tags)
    if image is not None:
        add_item_image(item, image)
    index_item(item)
    _audit(
        "catalog.item.create", item, institution, after={**_state(item, ITEM_FIELDS), "is_on_shelf": item.is_on_shelf}
    )
    return item


@transaction.atomic
def update_item(item: ServiceItem, *, region_tags=None, image=None, **fields) -> ServiceItem:
    item = ServiceItem.objects.select_for_update().select_related("institution").get(pk=item.pk)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise CatalogError(f"未知字段：{', '.join(sorted(unknown))}")
    merged = {"price_type": item.price_type, "price": item.price, **fields}
    _check_item_fields(item.institution, merged)
    before = _state(item, ITEM_FIELDS)
    for key in fields:
        setattr(item, key, merged[key])
    if merged["price_type"] == ServiceItem.PriceType.NEGOTIABLE:
        item.price = None
    item.save()
    after = _state(item, ITEM_FIELDS)
    if region_tags is not None:
        before["region_tags"] = sorted(item.region_tags.values_list("pk", flat=True))
        item.region_tags.set(region_tags)
        after["region_tags"] = sorted(item.region_tags.values_list("pk", flat=True))
    _audit("catalog.item.update", item, item.institution, before=before, after=after)
    if image is not None:
        add_item_image(item, image)
    index_item(item)
    return item


def _set_shelf(obj, on_shelf: bool, action: str):
    """上架 / 下架 of an item or an instrument, under its row lock; audited when it changes."""
    model = type(obj)
    locked = model.objects.select_for_update().select_related("institution").get(pk=obj.pk)
    if locked.is_on_shelf != on_shelf:
        model.objects.filter(pk=obj.pk).update(is_on_shelf=on_shelf)
        _audit(
            action,
            locked,
            locked.institution,
            before={"is_on_shelf": locked.is_on_shelf},
            after={"is_on_shelf": on_shelf},
            note="上架" if on_shelf else "下架",
        )
    obj.is_on_shelf = on_shelf
    return obj


@transaction.atomic
def set_item_shelf(item: ServiceItem, on_shelf: bool) -> ServiceItem:
    return _set_shelf(item, on_shelf, "catalog.item.shelf")


@transaction.atomic
def add_item_image(item: ServiceItem, uploaded) -> ServiceItemImage:
    if item.images.count() >= MAX_IMAGES:
        raise CatalogError(f"每个服务项目最多上传 {MAX_IMAGES} 张图片。")
    image, thumb = _clean_picture(uploaded)
    picture = ServiceItemImage(item=item, sort_order=item.images.count())
    picture.image.save(image.name, image, save=False)
    picture.thumb.save(thumb.name, thumb, save=False)
    picture.save()
    return picture


@transaction.atomic
def delete_item_image(item: ServiceItem, image_id: int) -> None:
    picture = item.images.filter(pk=image_id).first()
    if picture is None:
        raise CatalogError("图片不存在。")
    picture.delete()


# --- Instruments ----------------------------------------------------------------------------


def _check_instrument_fields(institution: Institution, fields: dict) -> None:
    sub_unit = fields.get("sub_unit")
    if sub_unit is not None and sub_unit.institution_id != institution.pk:
        raise CatalogError("子单位不存在。")


@transaction.atomic
def create_instrument(institution: Institution, *, image=None, **fields) -> Instrument:
    unknown = set(fields) - set(INSTRUMENT_FIELDS) - {"is_on_shelf"}
    if unknown:
        raise CatalogError(f"未知字段：{', '.join(sorted(unknown))}")
    _check_instrument_fields(institution, fields)
    instrument = Instrument.objects.create(institution=institution, **fields)
    if image is not None:
        add_instrument_image(instrument, image)
    _audit(
        "catalog.instrument.create",
        instrument,
        institution,
        after={**_state(instrument, INSTRUMENT_FIELDS), "is_on_shelf": instrument.is_on_shelf},
    )
    return instrument


@transaction.atomic
def update_instrument(instrument: Instrument, *, image=None, **fields) -> Instrument:
    instrument = Instrument.objects.select_for_update().select_related("institution").get(pk=instrument.pk)
    unknown = set(fields) - set(INSTRUMENT_FIELDS)
    if unknown:
        raise CatalogError(f"未知字段：{', '.join(sorted(unknown))}")
    _check_instrument_fields(instrument.institution, fields)
    before = _state(instrument, INSTRUMENT_FIELDS)
    for key, value in fields.items():
        setattr(instrument, key, value)
    instrument.save()
    _audit(
        "catalog.instrument.update",
        instrument,
        instrument.institution,
        before=before,
        after=_state(instrument, INSTRUMENT_FIELDS),
    )
    if image is not None:
        add_instrument_image(instrument, image)
    return instrument


@transaction.atomic
def set_instrument_shelf(instrument: Instrument, on_shelf: bool) -> Instrument:
    return _set_shelf(instrument, on_shelf, "catalog.instrument.shelf")


@transaction.atomic
def add_instrument_image(instrument: Instrument, uploaded) -> InstrumentImage:
    if instrument.images.count() >= MAX_IMAGES:
        raise CatalogError(f"每台仪器最多上传 {MAX_IMAGES} 张图片。")
    image, thumb = _clean_picture(uploaded)
    picture = InstrumentImage(instrument=instrument, sort_order=instrument.images.count())
    picture.image.save(image.name, image, save=False)
    picture.thumb.save(thumb.name, thumb, save=False)
    picture.save()
    return picture


@transaction.atomic
def delete_instrument_image(instrument: Instrument, image_id: int) -> None:
    picture = instrument.images.filter(pk=image_id).first()
    if picture is None:
        raise CatalogError("图片不存在。")
    picture.delete()
