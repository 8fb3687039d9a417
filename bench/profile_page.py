"""Where one page spends its time, in-process (issue 9): the page is requested through
Django's test client with the benchmark's settings on the benchmark database, first to
warm caches, then ``--repeat`` times under cProfile; prints the mean wall time, the SQL
time and queries, and the functions with the most own and cumulative time.

    .venv/bin/python bench/profile_page.py /orders/ --user bench_buyer
    .venv/bin/python bench/profile_page.py /admin/orders/order/ --user bench_admin --sql
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path")
    parser.add_argument("--user", default="")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sql", action="store_true", help="print each query with its time")
    parser.add_argument(
        "--url", default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/csj_bench")
    )
    args = parser.parse_args(argv)

    from bench.pages import server_env

    os.environ.update(server_env(args.url))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User

    client = Client(HTTP_HOST="127.0.0.1", secure=True)
    if args.user:
        client.force_login(User.objects.get(username=args.user))
    for _ in range(3):
        response = client.get(args.path)
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code} for {args.path}")

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        client.get(args.path)
        one = (time.perf_counter() - started) * 1000
    sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
    print(f"{args.path}: {one:.1f} ms once, {len(queries)} queries, {sql_ms:.1f} ms in SQL")
    if args.sql:
        for q in queries.captured_queries:
            print(f"  {float(q['time']) * 1000:7.2f} ms  {q['sql'][:300]}")

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for _ in range(args.repeat):
        client.get(args.path)
    profiler.disable()
    mean = (time.perf_counter() - started) * 1000 / args.repeat
    print(f"mean under the profiler: {mean:.1f} ms")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue().split("\n", 6)[-1])


if __name__ == "__main__":
    main()
