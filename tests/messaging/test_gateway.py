"""messaging.backends.HttpSmsBackend against a stand-in gateway on loopback: the signed
JSON it posts, and what the outbox does when the gateway refuses, redirects or is slow."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from messaging.backends import HttpSmsBackend
from messaging.models import OutboxMessage
from messaging.services import queue_outbox, send_outbox

KEY = "a-key-agreed-with-the-sms-gateway"


class Gateway:
    def __init__(self):
        self.received = []
        self.status = 200
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.received.append((dict(self.headers), body))
                time.sleep(gateway.delay)
                self.send_response(gateway.status)
                if gateway.status == 302:
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/send"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def gateway(settings):
    gw = Gateway()
    settings.SMS_BACKEND = "messaging.backends.HttpSmsBackend"
    settings.SMS_GATEWAY_URL = gw.url
    settings.SMS_GATEWAY_KEY = KEY
    settings.SMS_GATEWAY_TIMEOUT = 1
    yield gw
    gw.server.shutdown()
    gw.server.server_close()


def test_posts_signed_json(gateway):
    HttpSmsBackend().send("13900001234", "", "【长三角科技创新券】您的验证码为123456", key="42")
    ((headers, body),) = gateway.received
    assert json.loads(body) == {
        "mobile": "13900001234",
        "content": "【长三角科技创新券】您的验证码为123456",
        "out_id": "42",
    }
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    expected = hmac.new(KEY.encode(), headers["X-Timestamp"].encode() + b"\n" + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["X-Signature"], expected)
    assert abs(int(headers["X-Timestamp"]) - time.time()) < 60


@pytest.mark.parametrize(
    ("status", "delay", "reason"), [(500, 0, "HTTP 500"), (302, 0, "HTTP 302"), (200, 2, "无应答")]
)
def test_a_refusal_keeps_the_row_for_the_next_try(db, gateway, status, delay, reason):
    gateway.status, gateway.delay = status, delay
    row = queue_outbox(OutboxMessage.Channel.SMS, "13900001234", "您的验证码为654321", secret=True)
    assert send_outbox(row.pk) is False
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1
    assert reason in row.last_error and "654321" not in row.last_error
    gateway.status, gateway.delay = 200, 0
    assert send_outbox(row.pk) is True
    row.refresh_from_db()
    assert row.status == "sent" and "654321" not in row.body
    assert [json.loads(body)["out_id"] for _headers, body in gateway.received][-1] == str(row.pk)


def test_an_unset_gateway_is_a_configuration_error(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.SMS_GATEWAY_URL = ""
    with pytest.raises(ImproperlyConfigured):
        HttpSmsBackend().send("13900001234", "", "x", key="1")
