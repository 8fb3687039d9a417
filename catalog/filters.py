"""Search filters (django-filter): category of any level, region tag, price type,
institution province / region. Invalid values are shown next to the field and ignored."""

import django_filters

from catalog.models import ServiceCategory, ServiceItem
from catalog.search import SORTS
from catalog.selectors import categories_tree, third_level_ids_under
from enterprises.models import Division, PilotRegion

DELTA_PROVINCES = ("310000", "320000", "330000", "340000")


def category_choices() -> list[tuple[str, str]]:
    """Every active category, depth first, indented by level."""
    choices = []
    for top in categories_tree():
        choices.append((str(top.pk), top.name))
        for second in top.children.all():
            choices.append((str(second.pk), "　" + second.name))
            for third in second.children.all():
                choices.append((str(third.pk), "　　" + third.name))
    return choices


class ItemFilter(django_filters.FilterSet):
    category = django_filters.ChoiceFilter(
        label="服务类别", choices=[], method="filter_category", empty_label="全部类别"
    )
    region = django_filters.ModelChoiceFilter(
        label="区域标签",
        queryset=PilotRegion.objects.filter(is_active=True),
        field_name="region_tags",
        empty_label="全部区域",
    )
    price_type = django_filters.ChoiceFilter(
        label="价格类型", choices=ServiceItem.PriceType.choices, empty_label="全部价格类型"
    )
    province = django_filters.ModelChoiceFilter(
        label="机构所在省份",
        queryset=Division.objects.filter(code__in=DELTA_PROVINCES).order_by("code"),
        method="filter_province",
        empty_label="全部省份",
    )
    city = django_filters.ModelChoiceFilter(
        label="机构所在城市",
        queryset=Division.objects.filter(level=Division.Level.CITY, parent_id__in=DELTA_PROVINCES).order_by("code"),
        method="filter_city",
        empty_label="全部城市",
    )

    class Meta:
        model = ServiceItem
        fields = ["category", "region", "price_type", "province", "city"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.form.fields
        for field in fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"
        # One query for the whole tree (choices are iterated several times per request).
        fields["category"].choices = [("", "全部类别"), *category_choices()]
        # Plain names: Division.__str__ walks up its parents (a query per option).
        fields["province"].label_from_instance = lambda d: d.name
        fields["city"].label_from_instance = lambda d: d.name

    def filter_category(self, queryset, name, value):
        category = ServiceCategory.objects.filter(pk=value).first()
        if category is None:
            return queryset.none()
        return queryset.filter(category_id__in=third_level_ids_under(category))

    def filter_province(self, queryset, name, value):
        return queryset.filter(institution__region__code__startswith=value.code[:2])

    def filter_city(self, queryset, name, value):
        # Municipalities' districts sit directly under the province: match the city prefix.
        return queryset.filter(institution__region__code__startswith=value.code[:4])


def clean_sort(value) -> str:
    return value if value in SORTS else "relevance"
