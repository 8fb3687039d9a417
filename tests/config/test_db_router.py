"""The read-replica router (config/db_router.py, issue 9).

The decision is tested with a real second PostgreSQL database standing in for the
replica: a copy of the test database (CREATE DATABASE ... TEMPLATE) in which one service
item is then renamed, so every page shows which database it read from."""

from contextlib import contextmanager

import psycopg
import pytest
from django.db import connections, transaction
from django.test import override_settings
from django.urls import reverse

from accounts.models import User
from catalog.models import ServiceItem
from config import db_router
from tests.factories import enterprise_user, service_item

ROUTERS = ["config.db_router.ReplicaRouter"]


def _admin_connection(settings_dict):
    return psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def replica_copy(monkeypatch):
    """A real second database: a copy of the (committed) test database, as alias "replica"
    (what settings.DATABASES["replica"] gives when DATABASE_REPLICA_URL is set)."""
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_replica"
    for conn in connections.all():
        conn.close()  # a template database must have no other sessions
    with _admin_connection(primary) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        # Threads of earlier tests (live servers, concurrency tests) may have left idle
        # sessions on the test database; a template must have none.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [primary["NAME"]],
        )
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{primary["NAME"]}"')
    # A connection created at run time (not in settings.DATABASES, which the test runner
    # fixes when the test starts).
    wrapper = type(connections["default"])({**primary, "NAME": name}, alias=db_router.REPLICA)
    connections[db_router.REPLICA] = wrapper
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    try:
        yield name
    finally:
        wrapper.close()
        del connections[db_router.REPLICA]
        with _admin_connection(primary) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_without_a_replica_everything_reads_the_primary():
    token = db_router.use_replica()
    try:
        assert db_router.read_alias(ServiceItem) == "default"
    finally:
        db_router.reset(token)


@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_ROUTERS=ROUTERS)
def test_public_pages_read_the_replica_everything_else_the_primary(live_db, client, monkeypatch):
    item = service_item(name="主库名称检测服务")
    buyer = enterprise_user("router_buyer")
    with replica_copy(monkeypatch):
        with connections[db_router.REPLICA].cursor() as cursor:
            cursor.execute("UPDATE catalog_serviceitem SET name = %s WHERE id = %s", ["副本名称检测服务", item.pk])
        # Outside a request: the primary.
        assert ServiceItem.objects.get(pk=item.pk).name == "主库名称检测服务"

        # Public read-only pages: the replica.
        detail = client.get(reverse("catalog:item_detail", args=[item.pk]))
        assert detail.status_code == 200
        assert "副本名称检测服务" in detail.content.decode()
        assert "主库名称检测服务" not in detail.content.decode()
        shop = client.get(reverse("catalog:shop", args=[item.institution_id]))
        assert "副本名称检测服务" in shop.content.decode()

        # A logged-in user on a public page: the session and the user come from the primary
        # (the replica's copy of the user is gone, yet the user is logged in).
        client.force_login(buyer)
        User.objects.using(db_router.REPLICA).filter(pk=buyer.pk).delete()
        page = client.get(reverse("catalog:item_detail", args=[item.pk]))
        assert page.wsgi_request.user.is_authenticated
        assert "副本名称检测服务" in page.content.decode()

        # Every other page reads the primary: the order form shows the primary's name.
        form = client.get(reverse("orders:create", args=[item.pk]))
        assert form.status_code in (200, 302)
        if form.status_code == 200:
            assert "主库名称检测服务" in form.content.decode()

        # Writes go to the primary, and a read inside a transaction too, even when the
        # context is replica-eligible.
        token = db_router.use_replica()
        try:
            assert ServiceItem.objects.get(pk=item.pk).name == "副本名称检测服务"
            with transaction.atomic():
                ServiceItem.objects.filter(pk=item.pk).update(name="写入后的名称")
                assert ServiceItem.objects.get(pk=item.pk).name == "写入后的名称"
                assert db_router.read_alias(ServiceItem) == "default"
            assert ServiceItem.objects.using("default").get(pk=item.pk).name == "写入后的名称"
            assert ServiceItem.objects.using(db_router.REPLICA).get(pk=item.pk).name == "副本名称检测服务"
            assert db_router.read_alias(User) == "default"
        finally:
            db_router.reset(token)
        # The flag never leaks out of a request.
        assert db_router.read_alias(ServiceItem) == "default"


@pytest.mark.django_db
def test_router_rules_without_a_request():
    router = db_router.ReplicaRouter()
    assert router.db_for_write(ServiceItem) == "default"
    assert router.allow_migrate("replica", "catalog") is False
    assert router.allow_migrate("default", "catalog") is True
    assert router.allow_relation(object(), object()) is True
