import time
from unittest import mock

import pytest
from django.urls import reverse

from accounts import services
from accounts.exceptions import SmsCodeInvalid, SmsRateLimited
from messaging.models import OutboxMessage
from tests.accounts.helpers import CODE_RE, latest_code

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch("accounts.services.time.time", c):
        yield c


def test_code_is_six_digits_sent_through_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.send_code(PHONE, "register", "10.0.0.1")
    row = OutboxMessage.objects.get(to=PHONE)
    assert row.channel == "sms" and row.status == "sent"
    code = latest_code(PHONE)
    assert len(code) == 6 and code.isdigit()
    from messaging.backends import MemorySmsBackend

    assert any(to == PHONE and code in body for to, body, _key in MemorySmsBackend.sent)


def test_a_sent_code_is_masked_in_the_outbox(django_capture_on_commit_callbacks, admin_client):
    """The gateway gets the code; the row keeps "******" once sent, and the admin never
    shows a code, not even while the row waits."""
    services.send_code(PHONE, "register", None)
    waiting = OutboxMessage.objects.get(to=PHONE)
    code = latest_code(PHONE)
    assert code in waiting.body and waiting.secret
    page = admin_client.get(reverse("admin:messaging_outboxmessage_change", args=[waiting.pk])).content.decode()
    assert code not in page and "验证码为******" in page

    from messaging.services import send_outbox

    assert send_outbox(waiting.pk)
    waiting.refresh_from_db()
    assert waiting.status == "sent" and code not in waiting.body
    assert "验证码为******，用于法人单位注册" in waiting.body
    assert latest_code(PHONE) == code  # the test gateway received it


def test_a_code_that_cannot_be_sent_is_masked_when_given_up(settings):
    settings.SMS_BACKEND = "tests.messaging.test_notify.BrokenGateway"
    services.send_code(PHONE, "register", None)
    row = OutboxMessage.objects.get(to=PHONE)
    code = CODE_RE.search(row.body).group(1)
    from messaging.services import send_outbox

    for _ in range(OutboxMessage.MAX_ATTEMPTS - 1):
        send_outbox(row.pk)
        row.refresh_from_db()
        assert row.status == "pending" and code in row.body  # still to be delivered
    send_outbox(row.pk)
    row.refresh_from_db()
    assert row.status == "failed" and code not in row.body


def test_other_sms_are_kept_as_sent(buyer_a, django_capture_on_commit_callbacks):
    from messaging.models import Message
    from messaging.services import notify

    buyer_a.phone = "13900001234"
    buyer_a.save(update_fields=["phone"])
    with django_capture_on_commit_callbacks(execute=True):
        notify(buyer_a, Message.Kind.ORDER, "订单20261130123456已确认", sms=True)
    row = OutboxMessage.objects.get(to="13900001234")
    assert row.status == "sent" and row.body == "订单20261130123456已确认"


def test_only_a_hash_is_kept_in_the_cache():
    from django.core.cache import cache

    services.send_code(PHONE, "register", None)
    record = cache.get(f"sms:code:register:{PHONE}")
    assert latest_code(PHONE) not in str(record)


def test_code_is_single_use_and_bound_to_number_and_purpose():
    services.send_code(PHONE, "register", None)
    code = latest_code(PHONE)
    with pytest.raises(SmsCodeInvalid):
        services.verify_code("13912345679", "register", code)
    with pytest.raises(SmsCodeInvalid):
        services.verify_code(PHONE, "change_phone", code)
    services.verify_code(PHONE, "register", code)
    with pytest.raises(SmsCodeInvalid) as info:
        services.verify_code(PHONE, "register", code)
    assert "失效" in info.value.message


def test_code_expires_after_ten_minutes(clock):
    services.send_code(PHONE, "register", None)
    code = latest_code(PHONE)
    clock.now += 9 * 60
    services.send_code("13912345670", "register", None)
    other = latest_code("13912345670")
    services.verify_code("13912345670", "register", other)
    clock.now += 61
    with pytest.raises(SmsCodeInvalid) as info:
        services.verify_code(PHONE, "register", code)
    assert "失效" in info.value.message


def test_wrong_tries_end_the_code():
    services.send_code(PHONE, "register", None)
    code = latest_code(PHONE)
    wrong = "000000" if code != "000000" else "111111"
    for n in range(services.MAX_ATTEMPTS - 1):
        with pytest.raises(SmsCodeInvalid) as info:
            services.verify_code(PHONE, "register", wrong)
        assert f"还可尝试{services.MAX_ATTEMPTS - n - 1}次" in info.value.message
    with pytest.raises(SmsCodeInvalid) as info:
        services.verify_code(PHONE, "register", wrong)
    assert "错误次数过多" in info.value.message
    with pytest.raises(SmsCodeInvalid):
        services.verify_code(PHONE, "register", code)  # even the right code is dead now


def test_a_new_code_replaces_the_old(clock):
    services.send_code(PHONE, "register", None)
    old = latest_code(PHONE)
    clock.now += 61
    _expire(60, "phone", PHONE)  # the 1-per-minute window has passed
    services.send_code(PHONE, "register", None)
    new = latest_code(PHONE)
    if new != old:
        with pytest.raises(SmsCodeInvalid):
            services.verify_code(PHONE, "register", old)
    services.verify_code(PHONE, "register", new)


def _expire(window: int, scope: str, ident: str):
    from django.core.cache import cache

    cache.delete(f"sms:rl:{scope}:{window}:{ident}")


def test_one_per_minute_five_per_hour_ten_per_day_per_number():
    services.send_code(PHONE, "register", None)
    with pytest.raises(SmsRateLimited) as info:
        services.send_code(PHONE, "register", None)
    assert "1分钟" in info.value.message
    for _ in range(4):
        _expire(60, "phone", PHONE)
        services.send_code(PHONE, "register", None)
    _expire(60, "phone", PHONE)
    with pytest.raises(SmsRateLimited) as info:
        services.send_code(PHONE, "register", None)
    assert "1小时" in info.value.message
    for _ in range(5):
        _expire(60, "phone", PHONE)
        _expire(3600, "phone", PHONE)
        services.send_code(PHONE, "register", None)
    _expire(60, "phone", PHONE)
    _expire(3600, "phone", PHONE)
    with pytest.raises(SmsRateLimited) as info:
        services.send_code(PHONE, "register", None)
    assert "今日" in info.value.message
    assert OutboxMessage.objects.filter(to=PHONE).count() == 10


def test_limit_per_ip():
    for n in range(20):
        services.send_code(f"1391000{n:04d}", "register", "10.9.9.9")
    with pytest.raises(SmsRateLimited) as info:
        services.send_code("13910009999", "register", "10.9.9.9")
    assert "网络" in info.value.message
    # The refused number was not charged: it can still get a code from elsewhere.
    services.send_code("13910009999", "register", "10.1.1.1")


def test_send_view_answers_in_chinese(client):
    url = reverse("accounts:sms_send")
    r = client.post(url, {"phone": "+8613912345678", "purpose": "register"})
    assert "不要加+86" in r.content.decode()
    r = client.post(url, {"phone": PHONE, "purpose": "register"})
    assert "验证码已发送" in r.content.decode()
    r = client.post(url, {"phone": PHONE, "purpose": "register"})
    assert "1分钟" in r.content.decode()
    r = client.post(url, {"phone": PHONE, "purpose": "nonsense"})
    assert r.status_code == 200
    assert client.get(url).status_code == 405


def test_send_view_refuses_registered_number_for_registration(client, buyer_a):
    r = client.post(reverse("accounts:sms_send"), {"phone": buyer_a.phone, "purpose": "register"})
    assert "已注册" in r.content.decode()
    assert not OutboxMessage.objects.exists()


def test_change_phone_code_needs_login(client):
    r = client.post(reverse("accounts:sms_send"), {"phone": PHONE, "purpose": "change_phone"})
    assert "请先登录" in r.content.decode()


def test_dev_page_only_with_debug(client, settings):
    services.send_code(PHONE, "register", None)
    settings.DEBUG = False
    assert client.get(reverse("accounts:dev_sms")).status_code == 404
    settings.DEBUG = True
    body = client.get(reverse("accounts:dev_sms")).content.decode()
    assert latest_code(PHONE) in body


def test_dev_page_shows_a_sent_code(client, settings, django_capture_on_commit_callbacks):
    """The row is masked once sent; the page shows the development gateway's copy."""
    with django_capture_on_commit_callbacks(execute=True):
        services.send_code(PHONE, "register", None)
    assert OutboxMessage.objects.get(to=PHONE).status == "sent"
    settings.DEBUG = True
    body = client.get(reverse("accounts:dev_sms")).content.decode()
    assert latest_code(PHONE) in body
