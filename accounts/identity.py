"""Who the session's user is, remembered in the shared cache (issue 9).

Django loads the session's user from the database on every request, and every 买家中心
page then loads the enterprise the user acts for: two queries and ~2 ms of CPU a
request under load, before the page does anything. ``bench/pages.py`` measures it as
"floor, buyer" (the fixed floor page after those two reads): 0.18 of the floor's
requests a second with Django's AuthenticationMiddleware, 0.56 with this one.

``CachedAuthenticationMiddleware`` (in place of Django's AuthenticationMiddleware) keeps
the user row, their EnterpriseMember with its Enterprise, their InstitutionStaff with its
Institution (卖家中心) and the pilot regions they administer in the cache for
IDENTITY_CACHE_SECONDS, under a per-user *version*:

- Any change to those rows through the ORM (save, delete; accounts/apps.py connects the
  signals) and every bulk ``update()`` of them (enterprises.services and
  catalog.services.forget_staff call ``forget_identity``) writes a new version, at once
  and again after the commit. An entry remembered under another version is not used, so
  a request that read the rows just before the change cannot put the old rows back: its
  entry carries the old version.
- A remembered user is used only when Django itself would accept the session with it:
  the backend named in the session allows the user (active) and the session's hash
  matches the password's. Anything else (a rotated SECRET_KEY's fallback, a changed
  password) goes through ``django.contrib.auth.get_user``, which also logs out.
- The cache never holds a password hash: the remembered user has the field deferred
  (read from the database by the rare page that needs it), and the session hash to
  compare with is remembered beside it. The key carries the cached models' columns and
  the secret key, so a deploy that adds a field or rotates the key reads none of the old
  entries.

A change that bypasses both the ORM's signals and ``forget_identity`` (raw SQL) is seen
at the latest after IDENTITY_CACHE_SECONDS.
"""

import hashlib
import secrets
from functools import lru_cache

from django.apps import apps
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model, load_backend
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from catalog.models import InstitutionStaff
from catalog.selectors import STAFF_MEMO, load_staff
from config import db_router
from enterprises.models import EnterpriseMember
from enterprises.selectors import MEMBERSHIP_MEMO, REGIONS_MEMO, load_administered_region_ids, load_membership

IDENTITY_CACHE_SECONDS = 300
# The version outlives every entry made under it: a version that expired took its
# entries with it.
_VERSION_SECONDS = IDENTITY_CACHE_SECONDS * 4
# The parts remembered with a user, each set on the user object under the memo attribute
# its selector reads: enterprises.selectors.membership_for_user,
# catalog.selectors.staff_for_user (and the header's 卖家中心 link),
# enterprises.selectors.administered_region_ids.
MEMBERSHIP, STAFF, REGIONS = "membership", "staff", "regions"


@lru_cache(maxsize=1)
def _schema() -> str:
    """The columns of the cached models: entries pickled by other code are never read."""
    labels = (
        *("accounts.User", "enterprises.EnterpriseMember", "enterprises.Enterprise"),
        *("catalog.InstitutionStaff", "catalog.Institution", "enterprises.RegionAdministrator"),
    )
    columns = [f.attname for label in labels for f in apps.get_model(label)._meta.concrete_fields]
    # And the secret key: the remembered session hashes were made with it.
    return hashlib.sha256(" ".join([settings.SECRET_KEY, *columns]).encode()).hexdigest()[:12]


def _keys(user_id) -> tuple[str, str]:
    return f"accounts:identity:v:{user_id}", f"accounts:identity:{_schema()}:{user_id}"


def forget_identity(user_id) -> None:
    """The user's row or one of its parts (membership, enterprise, staff row, institution,
    administered regions) changed: copies remembered before are not used again.

    Like config.cache.forget (at once and after the commit), but writing a new version
    instead of deleting: a request that read the old rows, found no version and is about
    to start one, would otherwise start it after the commit and store the old rows under
    it; ``cache.add`` then finds the new version and stores nothing."""
    version_key, _ = _keys(user_id)

    def new_version():
        cache.set(version_key, secrets.token_hex(8), _VERSION_SECONDS)

    new_version()
    transaction.on_commit(new_version)


def _load(request, version_key: str, entry_key: str, version):
    """Django's own get_user, then the parts; remembered under the version read before
    the rows were."""
    user = auth.get_user(request)
    if not user.is_authenticated:
        return user
    # From the primary, even on a page that reads the replica: a lagging replica's rows
    # (no membership yet, say) would be remembered past the lag.
    token = db_router.use_replica(False)
    try:
        # What this kind of user's pages read, no more: the first page after a change
        # runs no more queries than without this cache. Administrators: their regions
        # (a superuser's are all, read as before); others: their enterprise and the staff
        # row the header's 卖家中心 link reads on every page. A part not loaded is read by
        # its selector as before.
        if user.is_superuser:
            parts = {}
        elif user.is_staff:
            parts = {REGIONS: load_administered_region_ids(user)}
        else:
            parts = {MEMBERSHIP: load_membership(user), STAFF: load_staff(user)}
    finally:
        db_router.reset(token)
    if version is None:
        version = secrets.token_hex(8)
        if not cache.add(version_key, version, _VERSION_SECONDS):
            return _attach(user, parts)  # another request started a version just now
    cache.set(
        entry_key, (version, _without_password(user), user.get_session_auth_hash(), parts), IDENTITY_CACHE_SECONDS
    )
    return _attach(user, parts)


def _without_password(user):
    """A copy of the user whose password hash stays in the database: the cache never holds
    it. The field is deferred in the copy, so the rare page that reads it (changing the
    password) loads it with one query, and saving the user leaves it alone."""
    copy = user.__class__.from_db(user._state.db, [], [])
    copy.__dict__.update({k: v for k, v in user.__dict__.items() if k not in ("password", "_state")})
    return copy


def _attach(user, parts):
    memos = {MEMBERSHIP: MEMBERSHIP_MEMO, STAFF: STAFF_MEMO, REGIONS: REGIONS_MEMO}
    for part, value in parts.items():
        setattr(user, memos[part], value)
    return user


def _accepted(request, user, backend_path: str, auth_hash: str) -> bool:
    """What django.contrib.auth.get_user checks of a loaded user, on its plain path;
    ``auth_hash`` is the user's get_session_auth_hash() when the entry was made."""
    backend = load_backend(backend_path)
    if hasattr(backend, "user_can_authenticate") and not backend.user_can_authenticate(user):
        return False
    session_hash = request.session.get(HASH_SESSION_KEY)
    return bool(session_hash) and constant_time_compare(session_hash, auth_hash)


def get_user(request):
    """``django.contrib.auth.get_user`` with the rows read from the cache when they are
    current; the user carries the parts loaded with it (``_attach``)."""
    try:
        user_id = get_user_model()._meta.pk.to_python(request.session[SESSION_KEY])
        backend_path = request.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    version_key, entry_key = _keys(user_id)
    found = cache.get_many([version_key, entry_key])
    version, entry = found.get(version_key), found.get(entry_key)
    if entry is None or version is None or entry[0] != version:
        return _load(request, version_key, entry_key, version)
    _, user, auth_hash, parts = entry
    if not _accepted(request, user, backend_path, auth_hash):
        return auth.get_user(request)
    return _attach(user, parts)


class CachedAuthenticationMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware reading the user through ``get_user`` above."""

    def process_request(self, request):
        super().process_request(request)  # its checks, and request.auser (async views)
        request.user = SimpleLazyObject(lambda: get_user(request))


# --- invalidation (signal receivers, connected in accounts/apps.py) ------------------


def user_changed(sender, instance, **kwargs) -> None:
    forget_identity(instance.pk)


def member_changed(sender, instance, **kwargs) -> None:
    forget_identity(instance.user_id)


def enterprise_changed(sender, instance, **kwargs) -> None:
    for user_id in EnterpriseMember.objects.filter(enterprise_id=instance.pk).values_list("user_id", flat=True):
        forget_identity(user_id)


def institution_changed(sender, instance, **kwargs) -> None:
    for user_id in InstitutionStaff.objects.filter(institution_id=instance.pk).values_list("user_id", flat=True):
        forget_identity(user_id)
