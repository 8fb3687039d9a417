"""Read replica (issue 9): with ``DATABASE_REPLICA_URL`` set there is a second database
alias, "replica", and this router sends to it only the reads of the read-only public pages
(search, service item and instrument detail, shop, 兑付公示, 统计分析). Everything else —
every write, every read of any other page, every read inside a transaction (an ``atomic``
block on the primary) and every read of accounts and sessions (a fresh login or password
change must never be missed because of replication lag) — goes to the primary.

The decision is per request: ``ReplicaMiddleware`` marks a GET/HEAD request whose view is in
``REPLICA_VIEWS`` as replica-eligible (a context variable, so threads and async tasks do
not leak it); code outside a request (tasks, commands) always uses the primary.
"""

from contextvars import ContextVar

from django.db import connections

REPLICA = "replica"
PRIMARY = "default"
# URL names (namespace:name) of the read-only public pages.
REPLICA_VIEWS = frozenset(
    {
        "catalog:search",
        "catalog:item_detail",
        "catalog:instrument_detail",
        "catalog:shop",
        "redemption:notice_list",
        "admin:statistics",
    }
)
# Always on the primary, even on a replica-eligible page.
PRIMARY_APPS = frozenset({"sessions", "auth", "accounts", "contenttypes", "account", "socialaccount", "admin"})

_replica_ok: ContextVar[bool] = ContextVar("replica_ok", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


def use_replica(allowed: bool = True):
    """Mark the current context replica-eligible (returns the token for ``reset``)."""
    return _replica_ok.set(allowed)


def reset(token) -> None:
    _replica_ok.reset(token)


def read_alias(model=None) -> str:
    """The alias a read of ``model`` goes to right now."""
    if not _replica_ok.get() or not replica_configured():
        return PRIMARY
    if model is not None and model._meta.app_label in PRIMARY_APPS:
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY  # a read inside a write sees the write's own rows
    return REPLICA


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias(model)

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA  # migrations run on the primary and replicate


class ReplicaMiddleware:
    """Lets the public read-only pages read from the replica (GET and HEAD only)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_ok.set(False)
        try:
            return self.get_response(request)
        finally:
            _replica_ok.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method in ("GET", "HEAD") and match is not None and match.view_name in REPLICA_VIEWS:
            _replica_ok.set(True)
        return None
