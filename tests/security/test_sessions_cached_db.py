"""The session tests again with the engine production uses when Redis is configured
(issue 9: ``cached_db``, reads from the cache, writes to PostgreSQL too): the key still
rotates on login and password change, and logout or a password reset ends the session
in the cache as well as in the database."""

import pytest
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from tests.security.test_sessions import (  # noqa: F401  (fixtures and tests run here again)
    _clean_cache,
    login,
    member,
    test_login_rotates_the_session_key,
    test_logout_ends_the_session_on_the_server,
    test_password_change_rotates_the_key_and_ends_other_sessions,
    test_password_reset_by_sms,
)


@pytest.fixture(autouse=True)
def _cached_db_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
@pytest.mark.usefixtures("member")
def test_the_session_is_in_the_cache_and_the_database_until_logout(client):
    login(client)
    key = client.cookies["sessionid"].value
    assert cache.get(KEY_PREFIX + key) is not None
    assert Session.objects.filter(session_key=key).exists()
    client.post(reverse("account_logout"))
    assert cache.get(KEY_PREFIX + key) is None
    assert not Session.objects.filter(session_key=key).exists()
