"""DESIGN §10: the n-gram index finds exactly what a substring match finds, for one-, two-
and four-character Chinese terms and latin terms, and the two-character search uses it."""

import pytest
from django.db import connection
from django.urls import reverse

from catalog import services
from catalog.generator import generate
from catalog.models import ServiceItem
from catalog.search import CAP, CappedPaginator, match_terms, ngrams, ordered_results, parse_terms, substring_match
from tests.factories import institution_factory, service_item


@pytest.fixture(scope="module")
def generated(django_db_setup, django_db_blocker):
    """A few thousand generated items, shared by the module's tests (removed afterwards)."""
    with django_db_blocker.unblock():
        first = (ServiceItem.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        generate(3000, 60, seed=7)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalog_serviceitem")
        yield
        ServiceItem.region_tags.through.objects.filter(serviceitem_id__gte=first).delete()
        ServiceItem.objects.filter(id__gte=first).delete()
        from catalog.models import Institution

        Institution.objects.filter(items__isnull=True, staff__isnull=True).delete()


def ids(qs):
    return set(qs.values_list("id", flat=True))


TERMS = [
    # one character
    "检",
    "专",
    "芯",
    "测",
    "嘉",
    # two characters
    "检测",
    "专利",
    "芯片",
    "分析",
    "服务",
    "苏州",
    "咨询",
    # four characters
    "汽车电子",
    "专利价值",
    "材料失效",
    "长三角中",
    "评估服务",
    # latin and numbers, any case, inside words
    "EMC",
    "emc",
    "Cma",
    "iso/iec",
    "17025",
    "x1",
    "pcb",
    "CNAS",
    # no match at all
    "不存在的",
    "zzq",
]


@pytest.mark.django_db
@pytest.mark.parametrize("term", TERMS)
def test_index_equals_substring_match(generated, term):
    terms = parse_terms(term)
    qs = ServiceItem.objects.all()
    expected = ids(substring_match(qs, terms))
    assert ids(match_terms(qs, terms)) == expected
    if term not in ("不存在的", "zzq"):
        assert expected, f"the generated data should contain {term}"


@pytest.mark.django_db
def test_several_terms_are_all_required(generated):
    terms = parse_terms("检测  汽车电子 cma")
    qs = ServiceItem.objects.all()
    assert terms == ["检测", "汽车电子", "cma"]
    assert ids(match_terms(qs, terms)) == ids(substring_match(qs, terms))


def explain(qs, *settings) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in settings:
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_two_character_search_uses_the_gin_index(generated):
    # The candidate query of the search page for a two-character term.
    rare = service_item(name="量子陀螺仪标定服务")
    with connection.cursor() as cursor:
        # What autovacuum does: merge the GIN pending list, refresh statistics.
        cursor.execute("SELECT gin_clean_pending_list('item_search_gin'::regclass)")
        cursor.execute("ANALYZE catalog_serviceitem")
    results = ordered_results(ServiceItem.objects.filter(is_on_shelf=True), ["陀螺"], "relevance")
    plan = explain(results.candidates, "enable_seqscan")
    assert "Bitmap Index Scan on item_search_gin" in plan, plan
    assert results.ids == [rare.pk]
    # A common term's matches can be read through the index as well.
    plan = explain(match_terms(ServiceItem.objects.all(), ["检测"]).order_by(), "enable_seqscan")
    assert "Bitmap Index Scan on item_search_gin" in plan, plan


@pytest.mark.django_db
def test_counts_stop_at_the_cap(generated):
    paginator = CappedPaginator(ordered_results(ServiceItem.objects.all(), ["服"], "relevance"), 10)
    assert paginator.more_than_cap
    assert paginator.count == CAP
    assert paginator.count_label == "1000+"
    assert paginator.num_pages == CAP // 10
    small = CappedPaginator(ordered_results(ServiceItem.objects.all(), ["zzq"], "relevance"), 10)
    assert small.count_label == "0"


@pytest.mark.django_db
def test_sorts(generated):
    base = ServiceItem.objects.filter(is_on_shelf=True)
    asc = list(ordered_results(base, ["检测"], "price_asc")[:20])
    prices = [i.price for i in asc if i.price is not None]
    assert prices == sorted(prices)
    desc = list(ordered_results(base, ["检测"], "price_desc")[:20])
    assert [i.price for i in desc if i.price is not None] == sorted([i.price for i in desc if i.price], reverse=True)
    newest = list(ordered_results(base, ["检测"], "newest")[:20])
    assert [i.created_at for i in newest] == sorted([i.created_at for i in newest], reverse=True)
    ranked = list(ordered_results(base, ["汽车电子"], "relevance")[:5])
    assert all("汽车电子" in i.name for i in ranked)


def test_ngrams_and_terms():
    assert set(ngrams("EMC 测试")) == {"e", "m", "c", "em", "mc", "测", "试", "测试"}
    assert parse_terms("  \x00检测\t检测  ") == ["检测"]
    assert parse_terms(None) == []
    assert len(parse_terms("很" * 500)[0]) == 50
    assert parse_terms("'\\&|!:*()") == ["'\\&|!:*()"]


@pytest.mark.django_db
def test_tsquery_special_characters_never_break(client):
    for q in ["'", "\\", "a & b", "!x", "(", ":*", "%", "_", "检测'", "' OR 1=1 --"]:
        response = client.get(reverse("catalog:search"), {"q": q})
        assert response.status_code == 200, q


@pytest.mark.django_db
def test_index_is_kept_current_on_every_write():
    org = institution_factory(name="嘉善精诚计量测试研究所")
    item = service_item(org, name="长度计量校准", description="量块与卡尺校准")
    found = lambda term: ids(match_terms(ServiceItem.objects.all(), parse_terms(term)))  # noqa: E731
    assert item.pk in found("卡尺") and item.pk in found("精诚")
    services.update_item(item, name="温度计量校准", description="热电偶校准")
    assert item.pk not in found("卡尺") and item.pk in found("热电偶")
    services.update_institution(org, name="嘉善恒温计量测试研究所")
    assert item.pk not in found("精诚") and item.pk in found("恒温")


@pytest.mark.django_db
def test_bulk_reindex_task_and_command_rebuild_the_index():
    from django.core.management import call_command

    from catalog.tasks import reindex_items

    item = service_item(name="芯片可靠性测试")
    ServiceItem.objects.filter(pk=item.pk).update(search_vector=None, search_text="")
    assert item.pk not in ids(match_terms(ServiceItem.objects.all(), ["芯片"]))
    assert reindex_items([item.pk]) == 1
    assert item.pk in ids(match_terms(ServiceItem.objects.all(), ["芯片"]))
    ServiceItem.objects.filter(pk=item.pk).update(search_vector=None, search_text="")
    call_command("reindex_catalog")
    assert item.pk in ids(match_terms(ServiceItem.objects.all(), ["芯片"]))
    assert reindex_items([item.pk]) == 1  # safe to run twice


@pytest.mark.django_db
def test_generate_catalog_command():
    from io import StringIO

    from django.core.management import call_command

    from catalog.models import Institution

    before = ServiceItem.objects.count()
    out = StringIO()
    call_command("generate_catalog", items=40, institutions=3, stdout=out)
    assert "40 个服务项目" in out.getvalue()
    assert ServiceItem.objects.count() == before + 40 and Institution.objects.count() >= 3
    new = ServiceItem.objects.order_by("-id")[:40]
    assert all(i.search_vector is not None and i.region_tags.exists() for i in new)
    assert all((i.price is None) == (i.price_type == "negotiable") for i in new)
