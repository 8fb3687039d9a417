import pytest
from django.urls import reverse

from messaging.models import Message


def _msg(user, text, read=False):
    from django.utils import timezone

    return Message.objects.create(
        recipient=user, kind=Message.Kind.ORDER, text=text, read_at=timezone.now() if read else None
    )


def test_inbox_lists_only_own_messages_with_manual_columns(client, buyer_a, buyer_b):
    _msg(buyer_a, "您的订单: CSJ-202103101506-000001 机构已经接单, 区域管理员正在确认额度!!")
    _msg(buyer_b, "别人的消息")
    client.force_login(buyer_a)
    response = client.get(reverse("messaging:list"))
    body = response.content.decode()
    assert response.status_code == 200
    for column in ("序号", "通知类型", "通知信息", "通知时间", "是否已读", "操作"):
        assert column in body
    assert "CSJ-202103101506-000001" in body
    assert "别人的消息" not in body
    assert "服务项目订单" in body


def test_filter_by_read_state(client, buyer_a):
    _msg(buyer_a, "已读的消息", read=True)
    _msg(buyer_a, "未读的消息")
    client.force_login(buyer_a)
    unread = client.get(reverse("messaging:list"), {"is_read": "0"}).content.decode()
    read = client.get(reverse("messaging:list"), {"is_read": "1"}).content.decode()
    assert "未读的消息" in unread and "已读的消息" not in unread
    assert "已读的消息" in read and "未读的消息" not in read
    # Nonsense filter values are ignored, not a 500.
    assert client.get(reverse("messaging:list"), {"is_read": "<script>", "page": "x"}).status_code == 200


def test_view_marks_read_and_delete_hides(client, buyer_a):
    m = _msg(buyer_a, "待查看")
    client.force_login(buyer_a)
    assert client.get(reverse("messaging:detail", args=[m.pk])).status_code == 200
    m.refresh_from_db()
    assert m.read_at is not None
    response = client.post(reverse("messaging:delete", args=[m.pk]))
    assert response.status_code == 302
    assert "待查看" not in client.get(reverse("messaging:list")).content.decode()
    assert client.get(reverse("messaging:detail", args=[m.pk])).status_code == 404


def test_another_users_message_is_404(client, buyer_a, buyer_b):
    m = _msg(buyer_b, "B 的消息")
    client.force_login(buyer_a)
    assert client.get(reverse("messaging:detail", args=[m.pk])).status_code == 404
    assert client.post(reverse("messaging:delete", args=[m.pk])).status_code == 404
    m.refresh_from_db()
    assert m.deleted_at is None and m.read_at is None


def test_delete_requires_post(client, buyer_a):
    m = _msg(buyer_a, "x")
    client.force_login(buyer_a)
    assert client.get(reverse("messaging:delete", args=[m.pk])).status_code == 405


def test_pages_of_ten_and_unread_count_in_header(client, buyer_a, django_assert_max_num_queries):
    for i in range(23):
        _msg(buyer_a, f"消息{i}")
    client.force_login(buyer_a)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("messaging:list"), {"page": 3}).content.decode()
    assert "共 23 条" in body
    assert body.count("<tr>") == 1 + 3
    assert 'data-testid="unread-count">23<' in body


@pytest.mark.parametrize("rows", [3, 30])
def test_inbox_query_count_does_not_grow(client, buyer_a, rows, django_assert_max_num_queries):
    for i in range(rows):
        _msg(buyer_a, f"m{i}")
    client.force_login(buyer_a)
    with django_assert_max_num_queries(8):
        client.get(reverse("messaging:list"))


def test_login_required(client):
    response = client.get(reverse("messaging:list"))
    assert response.status_code == 302
