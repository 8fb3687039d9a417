"""Each user's permissions, remembered in the shared cache (issue 9).

Django's ModelBackend reads a user's permissions with two queries (their own, their
groups') on every admin request: some 5 ms of a 50 ms change list here. This backend,
listed first in AUTHENTICATION_BACKENDS, keeps the set in the cache beside a
*generation*: any change to who holds which permission (a user's groups or permissions,
a group's permissions, a group or permission deleted; accounts/apps.py connects the
signals) starts a new generation, at once and again after the commit, so the next
request reads the database. Whether the user is active or a superuser is read from the
user row of the request, as before. A change that bypasses the ORM's signals (raw SQL)
is seen at the latest after PERMISSIONS_CACHE_SECONDS.

It logs nobody in (``authenticate`` is ModelBackend's and allauth's job); it restores a
session's user like ModelBackend, for sessions that name it (Django's test client does).
"""

import time

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from config.cache import forget

GENERATION_KEY = "accounts:perms:generation"
PERMISSIONS_CACHE_SECONDS = 300


def _user_key(user_id) -> str:
    return f"accounts:perms:user:{user_id}"


def forget_permissions(**kwargs) -> None:
    """Signal receiver for every change of who holds which permission: every remembered
    set is stale from now on. Without the generation key the next request starts a new one
    (a new time), which no remembered set carries."""
    forget(GENERATION_KEY)


class CachedPermissionsBackend(ModelBackend):
    def authenticate(self, request, **credentials):
        return None  # permissions only: ModelBackend and allauth's backend log users in

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if hasattr(user_obj, "_perm_cache"):  # already read during this request
            return user_obj._perm_cache
        key = _user_key(user_obj.pk)
        found = cache.get_many([GENERATION_KEY, key])
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = time.time_ns()
            # add(): two requests starting the first generation agree on one value.
            if not cache.add(GENERATION_KEY, generation, None):
                generation = cache.get(GENERATION_KEY, generation)
        remembered = found.get(key)
        if remembered is not None and remembered[:2] == (generation, user_obj.is_superuser):
            user_obj._perm_cache = remembered[2]
            return user_obj._perm_cache
        perms = super().get_all_permissions(user_obj)  # the two queries; sets _perm_cache
        cache.set(key, (generation, user_obj.is_superuser, perms), PERMISSIONS_CACHE_SECONDS)
        return perms
