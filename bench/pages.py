"""Page benchmark at volume (issue 9, DESIGN §11).

Starts the portal under gunicorn (production settings via bench/settings.py, several
workers) on the database filled by bench/seed.py, logs in the seeded accounts (sessions
created directly in the database), checks each page once (status, SQL queries from the
X-Bench-Queries header), then loads it from a second process with several concurrent
keep-alive clients for a fixed time (wrk when installed, else a small threaded Python
client) and measures the floor the same way: a fixed small page through the same
middleware, and, for reference, the same page after loading the buyer's user and
enterprise as every 买家中心 page does ("floor, buyer"). Prints the table (with each page's
server CPU time per request) and, last (the two floors left out),

    worst_p95_ms=<n> worst_ratio_to_floor=<r>

Usage:
    .venv/bin/python bench/seed.py --reset          # once
    .venv/bin/python bench/pages.py [--duration 10] [--connections 8] [--workers 4] [--only buyer]
"""

import argparse
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/csj_bench"
# Reference rows, not pages of the list (left out of the last line): the floor, and the
# floor after loading the buyer's user and enterprise (what every 买家中心 page does).
LOGGED_IN_FLOOR = "floor, buyer"
REFERENCES = ("floor", LOGGED_IN_FLOOR)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH %d %d %d %.3f %.3f\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, latency:percentile(50) / 1000.0, latency:percentile(95) / 1000.0))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "S3_BUCKET": "bench-dummy",
            # Dummy keys: presigned URLs are computed locally, and boto3 never waits for an
            # instance-metadata endpoint that does not exist here.
            "S3_ACCESS_KEY": "bench",
            "S3_SECRET_KEY": "bench-secret",
            "S3_REGION": "us-east-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PROTECTED_MEDIA_ACCEL": "false",
        }
    )
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    if redis_url != "none":
        env["REDIS_URL"] = redis_url
    return env


# --- load clients ------------------------------------------------------------------------------


def run_wrk(url: str, cookie: str, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "-s", script.name, "--timeout", "10s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    requests, duration_us, errors, p50, p95 = line.split()[1:]
    return {
        "requests": int(requests),
        "rps": int(requests) / (int(duration_us) / 1e6),
        "errors": int(errors),
        "p50": float(p50),
        "p95": float(p95),
    }


def python_client(url: str, cookie: str, duration: float, connections: int) -> dict:
    """Threads with keep-alive http.client connections (used when wrk is missing)."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    path = parts.path + ("?" + parts.query if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def worker():
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(math.ceil(p / 100 * len(latencies))) - 1)] if latencies else 0

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "errors": errors[0],
        "p50": pct(50),
        "p95": pct(95),
    }


def load(url: str, cookie: str, duration: int, connections: int) -> dict:
    have_wrk = subprocess.run(["which", "wrk"], capture_output=True).returncode == 0
    if os.environ.get("BENCH_CLIENT") != "python" and have_wrk:
        return run_wrk(url, cookie, duration, connections)
    out = subprocess.run(
        [sys.executable, __file__, "--client", url, cookie, str(duration), str(connections)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- the portal --------------------------------------------------------------------------------


def prepare(url: str) -> dict:
    """In this process: static files, the pages' ids and the login sessions."""
    for key, value in server_env(url).items():
        os.environ[key] = value
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from accounts.models import User
    from catalog.models import ServiceItem
    from enterprises.models import RegionAdministrator
    from orders.models import Order

    # Every run: a manifest left from an older checkout lacks new files, and a page that
    # names one answers 500 under the production storage.
    call_command("collectstatic", interactive=False, verbosity=0)
    # 统计分析 reads what the beat task computed (config.tasks.refresh_statistics): do it now.
    from config.statistics import refresh_all

    refresh_all()

    def session(username: str) -> str:
        user = User.objects.get(username=username)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"

    buyer = User.objects.get(username="bench_buyer")
    enterprise = buyer.enterprise_membership.enterprise if hasattr(buyer, "enterprise_membership") else None
    if enterprise is None:
        from enterprises.selectors import enterprise_for_user

        enterprise = enterprise_for_user(buyer)
    seller = User.objects.get(username="bench_seller")
    from catalog.models import InstitutionStaff

    institution_id = InstitutionStaff.objects.get(user=seller).institution_id
    item = ServiceItem.objects.filter(institution_id=institution_id, is_on_shelf=True).order_by("id").first()
    region_id = RegionAdministrator.objects.filter(user__username="bench_admin").values_list("region_id", flat=True)[0]
    buyer_orders = Order.objects.filter(enterprise=enterprise).count()
    last_page = max(1, math.ceil(buyer_orders / 10))
    seller_last = max(1, math.ceil(Order.objects.filter(institution_id=institution_id).count() / 10))
    q4 = urllib.parse.urlencode({"q": "检测服务", "price_type": "fixed", "region": region_id})
    cookies = {name: session(name) for name in ("bench_buyer", "bench_seller", "bench_admin")}
    pages = [
        ("floor", "/bench/floor", ""),
        (LOGGED_IN_FLOOR, "/bench/floor-buyer", "bench_buyer"),
        ("home", "/", ""),
        ("search 2-char", "/catalog/search/?" + urllib.parse.urlencode({"q": "检测"}), ""),
        ("search 4-char+filter", "/catalog/search/?" + q4, ""),
        ("item detail", f"/catalog/items/{item.pk}/", ""),
        ("shop", f"/catalog/shops/{institution_id}/", ""),
        ("buyer orders p1", "/orders/", "bench_buyer"),
        (f"buyer orders p{last_page}", f"/orders/?page={last_page}", "bench_buyer"),
        ("seller orders", "/orders/seller/", "bench_seller"),
        (f"seller orders p{seller_last}", f"/orders/seller/?page={seller_last}", "bench_seller"),
        ("messages", "/messages/", "bench_buyer"),
        ("quota", "/vouchers/quota/", "bench_buyer"),
        ("redemption list", "/redemption/", "bench_buyer"),
        ("admin quota queue", "/admin/orders/order/", "bench_admin"),
        ("admin orders, all", "/admin/orders/order/?status=all", "bench_admin"),
        ("admin redemption", "/admin/redemption/redemptionapplication/", "bench_admin"),
        ("notices", "/redemption/notices/", ""),
        ("statistics", "/admin/statistics/", "bench_admin"),
    ]
    return {"pages": [(n, p, cookies.get(u, "")) for n, p, u in pages]}


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "config.wsgi:application",
        "-c",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "/dev/null",
        "--error-logfile",
        str(ROOT / "var" / "bench" / "gunicorn.log"),
        "--max-requests",
        "0",
    ]
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(command, cwd=ROOT, env=server_env(url), start_new_session=True)
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/floor", timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not start; see var/bench/gunicorn.log")


def probe(base: str, path: str, cookie: str) -> tuple[int, int, str, int]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(base + path, headers={"Cookie": cookie} if cookie else {})

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as r:
            body = r.read()
            return r.status, int(r.headers.get("X-Bench-Queries", -1)), r.headers.get("X-Bench-Aliases", ""), len(body)
    except urllib.error.HTTPError as e:
        return e.code, int(e.headers.get("X-Bench-Queries", -1) or -1), "", 0


def server_cpu_seconds(master_pid: int) -> float | None:
    """CPU time (user + system) used so far by gunicorn's master and workers (Linux).
    Divided by the requests served, it gives each page's CPU cost on the server, which
    varies far less from run to run than req/s on a shared machine."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
        total = 0
        for pid in [str(master_pid), *children]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (clock ticks)
        return total / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--only", default="", help="only pages whose name contains this (the floors always run)")
    parser.add_argument("--json", default="", help="also write the rows to this file")
    args = parser.parse_args(argv)

    plan = prepare(args.url)
    port = free_port()
    server = start_server(args.url, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        for name, path, cookie in plan["pages"]:
            if args.only and name not in REFERENCES and args.only not in name:
                continue
            status, queries, aliases, size = probe(base, path, cookie)
            if status != 200:
                rows.append({"page": name, "path": path, "status": status, "queries": queries})
                print(f"{name}: HTTP {status} for {path}", flush=True)
                continue
            load(base + path, cookie, 1, args.connections)  # warm-up: caches, connections
            cpu_before = server_cpu_seconds(server.pid)
            result = load(base + path, cookie, args.duration, args.connections)
            cpu_after = server_cpu_seconds(server.pid)
            if cpu_before is not None and cpu_after is not None and result["requests"]:
                result["cpu_ms"] = (cpu_after - cpu_before) * 1000 / result["requests"]
            rows.append(
                {
                    "page": name,
                    "path": path,
                    "status": status,
                    "queries": queries,
                    "aliases": aliases,
                    "bytes": size,
                    **result,
                }
            )
            print(
                f"  {name:<22} p50 {result['p50']:7.1f} ms  p95 {result['p95']:7.1f} ms  "
                f"{result['rps']:7.1f} req/s  {queries:3d} queries",
                flush=True,
            )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    floor = next((r for r in rows if r["page"] == "floor" and "rps" in r), None)
    print()
    print(
        f"{'page':<22} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'queries':>8} {'/floor':>7} {'errors':>7}"
        f" {'cpu ms/req':>10}"
    )
    worst_p95, worst_ratio = 0.0, math.inf
    for r in rows:
        if "rps" not in r:
            print(f"{r['page']:<22} HTTP {r['status']}")
            worst_ratio = 0.0
            continue
        ratio = r["rps"] / floor["rps"] if floor else float("nan")
        r["ratio"] = ratio
        print(
            f"{r['page']:<22} {r['p50']:8.1f} {r['p95']:8.1f} {r['rps']:8.1f} {r['queries']:8d}"
            f" {ratio:7.2f} {r['errors']:7d} {r.get('cpu_ms', math.nan):10.2f}"
        )
        if r["page"] not in REFERENCES:
            worst_p95 = max(worst_p95, r["p95"])
            worst_ratio = min(worst_ratio, ratio)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    print(f"worst_p95_ms={worst_p95:.0f} worst_ratio_to_floor={worst_ratio:.2f}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--client":
        url, cookie, duration, connections = sys.argv[2:6]
        print(json.dumps(python_client(url, cookie, float(duration), int(connections))))
    else:
        main()
