# ruff: noqa: E501  (SQL statements read better on long lines)
"""Fill a scratch PostgreSQL database with the volume of issue 9 (DESIGN §11).

    .venv/bin/python bench/seed.py --reset            # full volume into csj_bench
    .venv/bin/python bench/seed.py --reset --scale 0.01

The database (default ``csj_bench`` on 127.0.0.1:5432, user postgres; override with
BENCH_DATABASE_URL) is dropped and created with ``--reset``, migrated with Django's
``migrate``, then filled. Never point it at the dev database or a test database.

What it creates (numbers at --scale 1):
  5 pilot regions (from the migrations), 50,000 enterprises with one administrator each,
  5,000 institutions with one staff account each and 100,000 service items (the
  catalogue's own generator, so names come from the taxonomy and the search columns are
  written by ``catalog.services.reindex_items``), 20,000 instruments, 15 programmes and
  60,000 vouchers whose amounts balance, 1,000,000 orders over three years in every status
  of their mode (one enterprise with 2,000 orders, one institution with 20,000), 50,000
  redemption applications each with an order line and an invoice, 2,000,000 站内信 (one
  user with 10,000) and 100,000 favourites.

Bulk rows are generated inside PostgreSQL (INSERT ... SELECT over generate_series and
temporary lookup tables with row numbers), which is far faster than sending them.
The named accounts the page benchmark logs in as: bench_buyer (the 2,000-order
enterprise, also the 10,000-message user), bench_seller (the 20,000-order institution),
bench_admin (区域管理员 of that enterprise's region). Password: settings.DEMO_PASSWORD.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csj_bench"
FORBIDDEN_NAMES = {"csj", "postgres", "template0", "template1"}

BASE = {
    "enterprises": 50_000,
    "institutions": 5_000,
    "items": 100_000,
    "instruments": 20_000,
    "vouchers": 60_000,
    "orders": 1_000_000,
    "buyer_orders": 2_000,
    "seller_orders": 20_000,
    "applications": 50_000,
    "messages": 2_000_000,
    "user_messages": 10_000,
    "favorites": 100_000,
}
FILLED_APPS = {"accounts", "enterprises", "catalog", "vouchers", "orders", "redemption", "messaging", "favorites"}
MINIMUM = {"buyer_orders": 25, "seller_orders": 25, "user_messages": 25}

PLACES = "上海 苏州 吴江 嘉善 青浦 马鞍山 相城 杭州 南京 无锡 嘉兴 宁波 合肥 芜湖 昆山 常州".split()
BRANDS = "恒通 华测 中科 博远 启明 联创 精诚 瑞德 新锐 天衡 正信 众合 科信 同创 卓越 信达 汇智 长青 远航 睿知".split()
TRADES = "电子 智能装备 生物医药 新材料 集成电路 精密机械 软件 环保 新能源 汽车零部件 光电 医疗器械".split()
INSTRUMENTS = [
    "扫描电子显微镜",
    "X射线衍射仪",
    "高效液相色谱仪",
    "气相色谱质谱联用仪",
    "电感耦合等离子体质谱仪",
    "激光粒度分析仪",
    "傅里叶红外光谱仪",
    "万能材料试验机",
    "三坐标测量机",
    "恒温恒湿试验箱",
    "核磁共振波谱仪",
    "原子力显微镜",
]
MESSAGE_TEXTS = [
    "您的订单已被服务机构接单，请关注后续进度。",
    "您的创新券申请已审核通过。",
    "您的兑付申请已进入公示期。",
    "您有一笔订单待额度确认。",
    "您的创新券将于30天后到期，请及时使用。",
    "服务机构已申请兑付，请确认。",
    "您的兑付申请已拨付。",
    "系统维护通知：平台将于周日凌晨升级。",
]
MESSAGE_KINDS = ["order", "voucher_application", "redemption", "voucher", "system", "institution_redemption"]


def counts_for(scale: float) -> dict[str, int]:
    out = {}
    for key, value in BASE.items():
        out[key] = max(int(value * scale), MINIMUM.get(key, 1))
    out["enterprises"] = max(out["enterprises"], 10)
    out["institutions"] = max(out["institutions"], 3)
    out["items"] = max(out["items"], 30)
    out["vouchers"] = max(out["vouchers"], out["enterprises"])
    out["orders"] = max(out["orders"], out["buyer_orders"] + out["seller_orders"] + 10)
    return out


def sql_array(values) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def pick(values, r: str = "random()") -> str:
    """SQL picking one of ``values`` at random."""
    return f"({sql_array(values)})[1 + floor({r} * {len(values)})::int]"


# --- Database lifecycle ---------------------------------------------------------------------


def _server_params(url: str):
    import environ

    cfg = environ.Env.db_url_config(url)
    return cfg


def reset_database(url: str) -> None:
    import psycopg

    cfg = _server_params(url)
    name = cfg["NAME"]
    if name in FORBIDDEN_NAMES or name.startswith("test"):
        raise SystemExit(f"refusing to reset database {name!r}: use a scratch database such as csj_bench")
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


# --- Filling ----------------------------------------------------------------------------------


class Filler:
    def __init__(self, scale: float = 1.0, *, log=None):
        self.n = counts_for(scale)
        self.log = log
        self.timings: dict[str, float] = {}

    # helpers
    def sql(self, statement: str, params=None):
        from django.db import connection

        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            rows = cursor.rowcount
        if os.environ.get("BENCH_SEED_VERBOSE"):
            print(f"    {time.perf_counter() - started:6.2f} s {rows} rows: {' '.join(statement.split())[:80]}")
        return rows

    def value(self, statement: str, params=None):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            row = cursor.fetchone()
            return row[0] if row else None

    def step(self, name, fn):
        started = time.perf_counter()
        fn()
        self.timings[name] = time.perf_counter() - started
        if self.log:
            self.log(f"  {name:<14} {self.timings[name]:7.1f} s")

    def drop_indexes(self, table: str) -> list[str]:
        """Drop the plain (non-constraint) indexes of ``table``; returns their definitions so
        ``create_indexes`` builds them again after the bulk insert (much faster than keeping
        them current row by row)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                   WHERE i.indrelid = %s::regclass
                     AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                [table],
            )
            rows = cursor.fetchall()
            for name, _definition in rows:
                cursor.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in rows]

    def create_indexes(self, definitions: list[str]) -> None:
        for definition in definitions:
            self.sql(definition)

    def next_id(self, table: str) -> int:
        return int(self.value(f"SELECT COALESCE(MAX(id), 0) FROM {table}"))

    def fill(self) -> dict[str, float]:
        from django.db import transaction

        with transaction.atomic():
            # Foreign-key triggers off while loading (row-by-row checks cost ~0.5 ms a row);
            # check_foreign_keys() verifies every reference set-based before the commit.
            self.sql("SET LOCAL session_replication_role = replica")
            for name in [
                "catalogue",
                "users",
                "enterprises",
                "staff",
                "instruments",
                "vouchers",
                "orders",
                "redemption",
                "messages",
                "favorites",
                "sequences",
                "accounts",
            ]:
                self.step(name, getattr(self, "fill_" + name))
            self.sql("SET LOCAL session_replication_role = origin")
            self.step("fk check", self.check_foreign_keys)
        return self.timings

    def fill_catalogue(self):
        from catalog.generator import generate

        self.i0 = self.next_id("catalog_institution")
        self.item0 = self.next_id("catalog_serviceitem")
        generate(self.n["items"], self.n["institutions"], seed=20261127)
        self.sql(
            f"""CREATE TEMP TABLE t_inst ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY id) AS rn, id, name FROM catalog_institution WHERE id > {self.i0}"""
        )
        # The busiest seller: the institution with the most items.
        self.special_inst = self.value(
            f"""SELECT institution_id FROM catalog_serviceitem WHERE id > {self.item0}
                GROUP BY institution_id ORDER BY count(*) DESC, institution_id LIMIT 1"""
        )
        self.sql(
            f"""CREATE TEMP TABLE t_items ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY i.id) AS rn, i.id, i.name, i.institution_id, i.category_id,
                       i.price, i.price_type, i.unit, o.name AS institution_name
                FROM catalog_serviceitem i JOIN catalog_institution o ON o.id = i.institution_id
                WHERE i.id > {self.item0};
                CREATE TEMP TABLE t_sitems ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY id) AS rn, id, name, institution_id, category_id,
                       price, price_type, unit, institution_name
                FROM t_items WHERE institution_id = {self.special_inst};
                CREATE INDEX ON t_items (rn); CREATE INDEX ON t_sitems (rn);
                ANALYZE t_items; ANALYZE t_sitems; ANALYZE t_inst;"""
        )
        self.n_items = self.value("SELECT count(*) FROM t_items")
        self.n_sitems = self.value("SELECT count(*) FROM t_sitems")
        self.n_inst = self.value("SELECT count(*) FROM t_inst")

    def fill_users(self):
        from django.conf import settings
        from django.contrib.auth.hashers import make_password

        self.password = make_password(settings.DEMO_PASSWORD)
        self.u0 = self.next_id("accounts_user")
        ne, ni = self.n["enterprises"], self.n_inst
        self.ui0 = self.u0 + ne  # institution staff users follow the enterprise users
        self.sql(
            f"""INSERT INTO accounts_user (id, password, is_superuser, username, first_name, last_name, email,
                    is_staff, is_active, date_joined, real_name, phone, phone_verified, role, id_number, address,
                    birthplace, city, district, education, ethnicity, gender, home_region, nationality, party,
                    postcode, province)
                SELECT {self.u0} + g, %s, false,
                       CASE WHEN g <= {ne} THEN 'bench_e' || g ELSE 'bench_i' || (g - {ne}) END,
                       '', '', '', false, true, now() - random() * interval '1100 days',
                       {pick(["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"])}
                         || {pick(["伟", "芳", "娜", "敏", "静", "磊", "强", "洋", "艳", "杰", "军", "勇"])},
                       NULL, false,
                       CASE WHEN g <= {ne} THEN 'enterprise' ELSE 'institution' END,
                       '', '', '', '', '', '', '', '', '', '', '', '', ''
                FROM generate_series(1, {ne + ni}) g""",
            [self.password],
        )

    def fill_enterprises(self):
        from enterprises.models import PilotRegion

        regions = list(PilotRegion.objects.order_by("id").values_list("id", "division_id", "code"))
        self.regions = regions
        self.e0 = self.next_id("enterprises_enterprise")
        ne = self.n["enterprises"]
        rid = "(ARRAY[" + ",".join(str(r[0]) for r in regions) + f"])[1 + (g % {len(regions)})]"
        div = "(" + sql_array([r[1] for r in regions]) + f")[1 + (g % {len(regions)})]"
        self.sql(
            f"""INSERT INTO enterprises_enterprise (id, uscc, name, licence, legal_representative, established_on,
                    registered_capital, industry, employees, rd_staff, last_year_revenue, last_year_rd_spend,
                    is_high_tech, high_tech_cert_no, is_tech_sme, tech_sme_no, contact_person, contact_phone,
                    address, introduction, created_at, updated_at, division_id, region_id)
                SELECT {self.e0} + g, '91' || lpad((g + {self.e0})::text, 16, '0'),
                       {pick(PLACES)} || {pick(BRANDS)} || {pick(TRADES)} || '科技有限公司',
                       '', {pick(["王", "李", "张", "刘", "陈"])} || '总', DATE '2005-01-01' + (random() * 6000)::int,
                       (100 + floor(random() * 5000)) * 10000, {pick(TRADES)},
                       20 + floor(random() * 500)::int, 2 + floor(random() * 50)::int,
                       (floor(random() * 5000) + 100) * 10000, (floor(random() * 500) + 10) * 10000,
                       random() < 0.3, '', random() < 0.5, '', '联系人', '0512-6' || lpad(g::text, 7, '0'),
                       {pick(PLACES)} || '科技园' || (1 + floor(random() * 300))::int || '号',
                       '长三角科技型中小企业。', now() - random() * interval '1100 days', now(), {div}, {rid}
                FROM generate_series(1, {ne}) g"""
        )
        self.sql(
            f"""INSERT INTO enterprises_enterprisemember (is_admin, created_at, enterprise_id, user_id)
                SELECT true, now(), {self.e0} + g, {self.u0} + g FROM generate_series(1, {ne}) g"""
        )
        # The 2,000-order enterprise lives in a 通用 region (it has redemption applications).
        tongyong = self.value(
            "SELECT region_id FROM enterprises_regionpolicy WHERE mode = 'tongyong' ORDER BY id LIMIT 1"
        )
        index = next(i for i, r in enumerate(regions) if r[0] == tongyong)
        g = next(g for g in range(1, ne + 1) if g % len(regions) == index)
        self.special_ent = self.e0 + g
        self.special_region = tongyong
        self.sql(f"UPDATE accounts_user SET username = 'bench_buyer' WHERE id = {self.u0 + g}")
        self.buyer_id = self.u0 + g

    def fill_staff(self):
        self.sql(
            f"""INSERT INTO catalog_institutionstaff (is_admin, created_at, institution_id, user_id)
                SELECT true, now(), t.id, {self.ui0} + t.rn FROM t_inst t"""
        )
        seller = self.value(f"SELECT user_id FROM catalog_institutionstaff WHERE institution_id = {self.special_inst}")
        self.sql(f"UPDATE accounts_user SET username = 'bench_seller' WHERE id = {seller}")

    def fill_instruments(self):
        self.sql(
            f"""INSERT INTO catalog_instrument (name, model_number, manufacturer, location, specifications, uses,
                    booking_price, booking_unit, status, is_on_shelf, created_at, updated_at, institution_id)
                SELECT {pick(BRANDS)} || {pick(INSTRUMENTS)}, 'X' || (100 + g % 900), {pick(BRANDS)} || '仪器',
                       {pick(PLACES)} || '实验楼', '测量范围与精度详见说明书。', '材料分析、质量检测与研发测试。',
                       (1 + floor(random() * 200)) * 50, '小时',
                       {pick(["available", "available", "available", "in_use", "maintenance", "retired"])},
                       random() < 0.95, now() - random() * interval '1000 days', now(), t.id
                FROM generate_series(1, {self.n["instruments"]}) g
                JOIN t_inst t ON t.rn = 1 + (g::bigint * 7919) % {self.n_inst}"""
        )

    def fill_vouchers(self):
        from datetime import date
        from decimal import Decimal

        from enterprises.models import RegionPolicy
        from vouchers.models import VoucherProgramme

        year = date.today().year
        self.years = [year - 2, year - 1, year]
        modes = {p.region_id: p.mode for p in RegionPolicy.objects.order_by("effective_from")}
        for region_id, _div, _code in self.regions:
            for y in self.years:
                VoucherProgramme.objects.get_or_create(
                    region_id=region_id,
                    year=y,
                    title=f"{y}年度科技创新券（性能测试）",
                    defaults={
                        "kind": modes.get(region_id, "tongyong"),
                        "max_amount": Decimal("500000"),
                        "apply_start": date(y, 1, 1),
                        "apply_end": date(y, 12, 31),
                        "total_budget": Decimal("100000000000"),
                        "budget_used": Decimal("0"),
                        "description": "性能测试数据",
                    },
                )
        self.v0 = self.next_id("vouchers_voucher")
        nv, ne = self.n["vouchers"], self.n["enterprises"]
        years = "ARRAY[" + ",".join(map(str, self.years)) + "]"
        # Amounts balance: remaining = issued - held - consumed - expired - voided, all ≥ 0.
        self.sql(
            f"""WITH s AS (
                    SELECT g, {self.e0} + 1 + (g - 1) % {ne} AS enterprise_id,
                           ({years})[1 + (g % 3)] AS year,
                           ((1 + floor(random() * 40)) * 5000)::numeric AS issued, random() AS r, random()::numeric AS q
                    FROM generate_series(1, {nv}) g),
                a AS (
                    SELECT s.*, e.region_id,
                           CASE WHEN r < 0.6 THEN 'active' WHEN r < 0.8 THEN 'used_up'
                                WHEN r < 0.95 THEN 'expired' ELSE 'void' END AS status
                    FROM s JOIN enterprises_enterprise e ON e.id = s.enterprise_id),
                m AS (
                    SELECT a.*,
                           CASE WHEN status = 'active' THEN round(issued * q * 0.2, 2) ELSE 0 END AS held,
                           CASE WHEN status = 'active' THEN round(issued * q * 0.5, 2)
                                WHEN status = 'used_up' THEN issued
                                WHEN status = 'expired' THEN round(issued * q * 0.5, 2) ELSE 0 END AS consumed
                    FROM a)
                INSERT INTO vouchers_voucher (id, number, source, kind, year, issued_amount, held_amount,
                    consumed_amount, expired_amount, voided_amount, remaining_amount, valid_until, status,
                    created_at, enterprise_id, region_id, programme_id)
                SELECT {self.v0} + g, 'KJQ' || m.year || lpad(({self.v0} + g)::text, 9, '0'), 'application', p.kind,
                       m.year, issued, held, consumed,
                       CASE WHEN status = 'expired' THEN issued - consumed ELSE 0 END,
                       CASE WHEN status = 'void' THEN issued ELSE 0 END,
                       CASE WHEN status = 'active' THEN issued - held - consumed ELSE 0 END,
                       make_date(m.year, 12, 31), status,
                       make_timestamptz(m.year, 1, 1, 9, 0, 0) + random() * interval '300 days',
                       enterprise_id, m.region_id, p.id
                FROM m JOIN vouchers_voucherprogramme p
                  ON p.region_id = m.region_id AND p.year = m.year AND p.title LIKE '%%性能测试%%'"""
        )
        # The busiest buyer holds one active voucher a year, large enough for its orders.
        self.sql(
            f"""UPDATE vouchers_voucher SET status = 'active', issued_amount = 5000000, held_amount = 0,
                    consumed_amount = 0, expired_amount = 0, voided_amount = 0, remaining_amount = 5000000
                WHERE enterprise_id = {self.special_ent}"""
        )
        self.sql(
            """UPDATE vouchers_voucherprogramme p SET budget_used = s.used FROM (
                    SELECT programme_id, sum(issued_amount) AS used FROM vouchers_voucher GROUP BY 1) s
                WHERE s.programme_id = p.id"""
        )
        self.sql(
            f"""CREATE TEMP TABLE t_v ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY v.id) AS rn, v.id, v.enterprise_id, v.kind, v.region_id,
                       (SELECT max(p.id) FROM enterprises_regionpolicy p WHERE p.region_id = v.region_id) AS policy_id
                FROM vouchers_voucher v WHERE v.id > {self.v0};
                CREATE TEMP TABLE t_sv ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY id) AS rn, id, enterprise_id, kind, region_id, policy_id
                FROM t_v WHERE enterprise_id = {self.special_ent};
                CREATE INDEX ON t_v (rn); ANALYZE t_v; ANALYZE t_sv;"""
        )
        self.n_v = self.value("SELECT count(*) FROM t_v")
        self.n_sv = self.value("SELECT count(*) FROM t_sv")

    def _orders(self, count: int, id_from: int, items: str, n_items: int, vouchers: str, n_vouchers: int):
        voucher_statuses = {
            "tongyong": ["pending_accept", "cancelled", "declined", "pending_quota", "in_service", "closed"]
            + ["completed"] * 3
            + ["redeeming"] * 2
            + ["redeemed"] * 5,
            "tongdui": ["pending_accept", "cancelled", "declined", "pending_quota", "in_service", "closed"]
            + ["pending_buyer"]
            + ["completed"] * 8,
            "wuquan": ["pending_accept", "cancelled", "declined", "in_service", "completed", "completed"],
        }
        status = (
            "CASE s.mode "
            + " ".join(f"WHEN '{m}' THEN {pick(v, 's.r2')}" for m, v in voucher_statuses.items())
            + " END"
        )
        self.sql(
            f"""WITH s0 AS (
                    SELECT g, 1 + floor(random() * {n_items})::int AS ir, 1 + floor(random() * {n_vouchers})::int AS vr,
                           random() AS r1, random() AS r2, 1 + floor(random() * 3)::int AS qty,
                           now() - random() * interval '1095 days' AS created
                    FROM generate_series(1, {count}) g),
                s AS (
                    SELECT s0.*, v.id AS voucher_id, v.policy_id, v.enterprise_id, i.id AS item_id, i.name AS item_name,
                           i.institution_id, i.institution_name, i.category_id, i.price, i.price_type, i.unit,
                           CASE WHEN s0.r1 < 0.25 THEN 'wuquan' ELSE v.kind END AS mode
                    FROM s0 JOIN {vouchers} v ON v.rn = s0.vr JOIN {items} i ON i.rn = s0.ir)
                INSERT INTO orders_order (id, number, item_name, institution_name, sub_unit_name, price_type,
                    unit_price, unit, quantity, mode, amount, amount_confirmed, voucher_share, project_info,
                    contact_info, basic_situation, demand, expected_results, note, status, reason,
                    redemption_proof, redemption_proof_name, redemption_invoice, created_at, updated_at,
                    accepted_at, completed_at, buyer_id, category_id, enterprise_id, institution_id, item_id,
                    policy_id, voucher_id, region_id)
                SELECT {id_from} + g, 'DD' || to_char(created, 'YYYYMMDD') || lpad(({id_from} + g)::text, 10, '0'),
                       left(item_name, 100), left(institution_name, 100), '', price_type, price, unit, qty, mode,
                       COALESCE(price * qty, (1 + floor(r2 * 100)) * 1000), price IS NOT NULL,
                       CASE WHEN mode = 'wuquan' THEN 0 ELSE round(COALESCE(price * qty, 10000) * 0.5, 2) END,
                       '', '', '', '', '', '', {status}, '', '', '', '', created, created,
                       created + interval '1 day', created + interval '20 days',
                       enterprise_id - {self.e0} + {self.u0}, category_id, enterprise_id, institution_id, item_id,
                       CASE WHEN mode = 'wuquan' THEN NULL ELSE policy_id END,
                       CASE WHEN mode = 'wuquan' THEN NULL ELSE voucher_id END, e.region_id
                FROM s JOIN enterprises_enterprise e ON e.id = s.enterprise_id"""
        )

    def fill_orders(self):
        o0 = self.next_id("orders_order")
        nb, ns = self.n["buyer_orders"], self.n["seller_orders"]
        rest = self.n["orders"] - nb - ns
        indexes = self.drop_indexes("orders_order")
        self._orders(nb, o0, "t_items", self.n_items, "t_sv", self.n_sv)
        self._orders(ns, o0 + nb, "t_sitems", self.n_sitems, "t_v", self.n_v)
        self._orders(rest, o0 + nb + ns, "t_items", self.n_items, "t_v", self.n_v)
        self.create_indexes(indexes)
        self.sql("ANALYZE orders_order")
        self.o0 = o0

    def fill_redemption(self):
        na = self.n["applications"]
        statuses = (
            ["draft", "expert_review", "region_review", "notice", "pending_payment"] + ["paid"] * 4 + ["rejected"]
        )
        # The busiest buyer's 通用 orders first (its 兑付管理 list has rows), then others.
        self.sql(
            f"""CREATE TEMP TABLE t_ro ON COMMIT DROP AS
                SELECT row_number() OVER (ORDER BY (o.enterprise_id = {self.special_ent}) DESC, random()) AS rn,
                       o.id AS order_id, o.enterprise_id, o.voucher_id, o.institution_id, o.category_id,
                       o.amount, o.created_at, o.buyer_id, e.region_id, random() AS r
                FROM orders_order o JOIN enterprises_enterprise e ON e.id = o.enterprise_id
                WHERE o.id > {self.o0} AND o.mode = 'tongyong' AND o.status IN ('redeeming', 'redeemed')
                LIMIT {na}"""
        )
        a0 = self.next_id("redemption_redemptionapplication")
        self.sql(
            f"""INSERT INTO redemption_redemptionapplication (id, kind, service_total, redeem_amount,
                    approved_amount, consumed_amount, effect, innovation, note, status, reason, notice_start,
                    notice_end, created_at, updated_at, submitted_at, decided_at, category_id, created_by_id,
                    enterprise_id, institution_id, policy_id, voucher_id, region_id)
                SELECT {a0} + t.rn, CASE WHEN t.r < 0.2 THEN 'quick' ELSE 'general' END, t.amount,
                       round(t.amount * 0.5, 2), round(t.amount * 0.5, 2), 0,
                       '提升了企业研发效率。', '形成了新的工艺方案。', '', st, '',
                       CASE WHEN st IN ('notice', 'pending_payment', 'paid') THEN (t.created_at + interval '30 days')::date END,
                       CASE WHEN st IN ('notice', 'pending_payment', 'paid') THEN (t.created_at + interval '35 days')::date END,
                       t.created_at + interval '21 days', t.created_at + interval '40 days',
                       CASE WHEN st <> 'draft' THEN t.created_at + interval '22 days' END,
                       CASE WHEN st IN ('notice', 'pending_payment', 'paid', 'rejected') THEN t.created_at + interval '29 days' END,
                       t.category_id, t.buyer_id, t.enterprise_id, t.institution_id, p.id, t.voucher_id, t.region_id
                FROM (SELECT t_ro.*, {pick(statuses, "r")} AS st FROM t_ro) t
                JOIN enterprises_regionpolicy p ON p.region_id = t.region_id"""
        )
        # 公示中 applications are those whose 公示期 is running now.
        self.sql(
            f"""UPDATE redemption_redemptionapplication SET notice_start = current_date - (id % 5)::int,
                    notice_end = current_date - (id % 5)::int + 5 WHERE id > {a0} AND status = 'notice'"""
        )
        inv0 = self.next_id("redemption_invoice")
        self.sql(
            f"""INSERT INTO redemption_invoice (id, application_id, code, number, issued_on, amount, image, note,
                    is_claimed, created_at)
                SELECT {inv0} + t.rn, {a0} + t.rn, '0' || lpad(((t.rn / 100000) + 320000000)::text, 11, '0'),
                       lpad((t.rn % 100000000)::text, 8, '0'), (t.created_at + interval '20 days')::date, t.amount,
                       'redemption/bench/invoice.png', '', a.status <> 'rejected', t.created_at + interval '21 days'
                FROM t_ro t JOIN redemption_redemptionapplication a ON a.id = {a0} + t.rn"""
        )
        self.sql(
            f"""INSERT INTO redemption_applicationorder (application_id, order_id, amount, invoice_id, is_open, created_at)
                SELECT {a0} + t.rn, t.order_id, t.amount, {inv0} + t.rn, a.status <> 'rejected',
                       t.created_at + interval '21 days'
                FROM t_ro t JOIN redemption_redemptionapplication a ON a.id = {a0} + t.rn"""
        )

    def fill_messages(self):
        nm, nu, ne = self.n["messages"], self.n["user_messages"], self.n["enterprises"]
        indexes = self.drop_indexes("messaging_message")
        # one table of 2,000,000 rows: the first user_messages go to bench_buyer
        self.sql(
            f"""INSERT INTO messaging_message (kind, text, link, created_at, read_at, recipient_id)
                SELECT {pick(MESSAGE_KINDS)}, {pick(MESSAGE_TEXTS)}, '', c, CASE WHEN random() < 0.6 THEN c END,
                       CASE WHEN g <= {nu} THEN {self.buyer_id} ELSE {self.u0} + 1 + (g::bigint * 7919) % {ne} END
                FROM (SELECT g, now() - random() * interval '1095 days' AS c FROM generate_series(1, {nm}) g) s"""
        )
        self.create_indexes(indexes)

    def fill_favorites(self):
        nf, ne = self.n["favorites"], self.n["enterprises"]
        self.sql(
            f"""INSERT INTO favorites_favorite (kind, created_at, item_id, user_id)
                SELECT DISTINCT ON (u, i) 'item', now() - random() * interval '700 days', i, u FROM (
                    SELECT CASE WHEN g <= 30 THEN {self.buyer_id} ELSE {self.u0} + 1 + (g::bigint * 104729) % {ne} END AS u,
                           (SELECT id FROM t_items WHERE rn = 1 + (g::bigint * 15485863) % {self.n_items}) AS i
                    FROM generate_series(1, {nf}) g) s"""
        )
        self.sql(
            f"""INSERT INTO favorites_favorite (kind, created_at, institution_id, user_id)
                SELECT 'institution', now(), t.id, {self.buyer_id} FROM t_inst t WHERE t.rn <= 10"""
        )

    def fill_accounts(self):
        from accounts.models import User
        from accounts.roles import put_user_in_role_group
        from enterprises.models import RegionAdministrator

        admin, _ = User.objects.get_or_create(
            username="bench_admin",
            defaults={"role": User.Role.REGION_ADMIN, "is_staff": True, "real_name": "性能测试管理员"},
        )
        admin.password = self.password
        admin.save(update_fields=["password"])
        put_user_in_role_group(admin)
        RegionAdministrator.objects.get_or_create(user=admin, region_id=self.special_region)

    def check_foreign_keys(self) -> None:
        """Every foreign key of the filled tables points at an existing row (anti-joins)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
                   FROM pg_constraint c
                   JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                   JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
                   WHERE c.contype = 'f' AND array_length(c.conkey, 1) = 1 AND c.connamespace = 'public'::regnamespace"""
            )
            bad = []
            for child, column, parent, key in cursor.fetchall():
                if child.split("_")[0] not in FILLED_APPS:
                    continue
                cursor.execute(
                    f"""SELECT count(*) FROM {child} c WHERE c.{column} IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.{key} = c.{column})"""
                )
                if cursor.fetchone()[0]:
                    bad.append(f"{child}.{column} → {parent}")
        if bad:
            raise RuntimeError("dangling references: " + ", ".join(bad))

    def fill_sequences(self):
        from django.db import connection

        tables = [
            "accounts_user",
            "enterprises_enterprise",
            "vouchers_voucher",
            "orders_order",
            "redemption_redemptionapplication",
            "redemption_invoice",
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
        # Order numbers come from a per-day sequence; keep it ahead of the seeded numbers.


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's volume (0.01 = smoke run)")
    parser.add_argument("--reset", action="store_true", help="drop and create the database first")
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    name = _server_params(args.url)["NAME"]
    if name in FORBIDDEN_NAMES or name.startswith("test"):
        raise SystemExit(f"refusing to fill {name!r}: use a scratch database such as csj_bench")
    if args.reset:
        reset_database(args.url)
    setup_django(args.url)
    from django.core.management import call_command
    from django.db import connection

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"  {'migrate':<14} {time.perf_counter() - t:7.1f} s", flush=True)
    filler = Filler(args.scale, log=lambda line: print(line, flush=True))
    print(f"filling {name} at scale {args.scale}: {filler.n}", flush=True)
    filler.fill()
    t = time.perf_counter()
    connection.close()
    import psycopg

    cfg = _server_params(args.url)
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        dbname=name,
        autocommit=True,
    ) as conn:
        conn.execute("VACUUM ANALYZE")
    print(f"  {'vacuum':<14} {time.perf_counter() - t:7.1f} s", flush=True)
    print(f"seeded {name} in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
