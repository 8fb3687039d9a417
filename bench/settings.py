"""Production settings as deployed, plus what bench/pages.py needs to measure: the floor
view's URL (bench/urls.py) and a header with the SQL queries each request ran
(bench/middleware.py). Never used outside the benchmark."""

from config.settings.production import *  # noqa: F403
from config.settings.production import BASE_DIR, MIDDLEWARE, env

ROOT_URLCONF = "bench.urls"
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
STATIC_ROOT = env.path("BENCH_STATIC_ROOT", default=BASE_DIR / "var" / "bench" / "static")
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
