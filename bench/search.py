"""Search benchmark (issue 4, DESIGN §10).

Generates (or reuses) 100,000 service items in a scratch database (``csj_bench`` on the
project's PostgreSQL; override with BENCH_DATABASE_NAME / BENCH_ITEMS), then times what the
search page runs for its results — the capped count and the first page with its
prefetches — for common two-character terms, through Django, against the same page
done with a plain ``icontains`` search and an exact count. Prints as its last line:

    search_p95_ms=<ours> icontains_p95_ms=<plain> speedup=<ratio>

Usage: .venv/bin/python bench/search.py   (BENCH_REPEAT / BENCH_PLAIN_REPEAT: runs per term)
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["DJANGO_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", "csj_bench")

ITEMS = int(os.environ.get("BENCH_ITEMS", "100000"))
INSTITUTIONS = int(os.environ.get("BENCH_INSTITUTIONS", "5000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
# The plain search takes ~0.2–1 s a run: fewer repetitions keep the benchmark short.
PLAIN_REPEAT = int(os.environ.get("BENCH_PLAIN_REPEAT", "5"))
TERMS = ["检测", "专利", "芯片", "分析", "服务", "咨询", "材料", "评估", "校准", "认证", "研发", "苏州"]


def ensure_database() -> None:
    import psycopg
    from django.db import connection

    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"],
        port=s["PORT"] or 5432,
        dbname="postgres",
        user=s["USER"],
        password=s["PASSWORD"],
        autocommit=True,
    ) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [s["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{s["NAME"]}"')


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    import django

    django.setup()
    ensure_database()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection

    from catalog.generator import generate
    from catalog.models import ServiceItem
    from catalog.search import CappedPaginator, ordered_results, parse_terms, substring_match
    from catalog.selectors import public_items

    call_command("migrate", verbosity=0)
    have = ServiceItem.objects.count()
    if have < ITEMS:
        print(f"generating {ITEMS - have} items ...", flush=True)
        started = time.perf_counter()
        generate(ITEMS - have, INSTITUTIONS if have == 0 else 0, seed=have + 1)
        print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE catalog_serviceitem")
    print(f"items: {ServiceItem.objects.count()}", flush=True)

    def ours(term):
        results = ordered_results(public_items(), parse_terms(term), "relevance", display=public_items())
        paginator = CappedPaginator(results, 10)
        page = paginator.page(1)
        return paginator.count_label, len(list(page))

    def plain(term):
        qs = substring_match(public_items(), parse_terms(term)).order_by("-created_at", "-id")
        paginator = Paginator(qs, 10)
        page = paginator.page(1)
        return str(paginator.count), len(list(page))

    results = {}
    for name, fn, repeat in (("search", ours, REPEAT), ("icontains", plain, PLAIN_REPEAT)):
        samples = []
        for term in TERMS:
            fn(term)  # warm up
            per_term = []
            for _ in range(repeat):
                started = time.perf_counter()
                count, rows = fn(term)
                per_term.append((time.perf_counter() - started) * 1000)
            samples += per_term
            print(
                f"{name:9s} {term}: count={count:>6s} rows={rows} p50={statistics.median(per_term):7.2f} ms "
                f"p95={p95(per_term):7.2f} ms",
                flush=True,
            )
        results[name] = p95(samples)
    speedup = results["icontains"] / results["search"]
    print(f"search_p95_ms={results['search']:.2f} icontains_p95_ms={results['icontains']:.2f} speedup={speedup:.1f}")


if __name__ == "__main__":
    main()
