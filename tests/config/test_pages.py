import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_home_page_has_the_manual_entries(client):
    body = client.get("/").content.decode()
    for text in ("长三角科技创新券通用通兑平台", "注册", "登录", "我要申领", "额度查询", 'type="search"'):
        assert text in body
    for region in ("吴江区", "嘉善县", "青浦区", "马鞍山市", "相城区"):
        assert region in body


def test_buyer_center_menu(client, buyer_a):
    client.force_login(buyer_a)
    body = client.get(reverse("buyer_home")).content.decode()
    for entry in ("企业信息管理", "基本信息", "用户管理", "创新券管理", "创新券申请", "订单管理", "兑付管理"):
        assert entry in body
    for entry in ("机构收藏列表", "项目收藏列表", "仪器收藏列表", "申请加盟", "个人信息", "密码修改", "站内信"):
        assert entry in body
    assert buyer_a.enterprise_membership.enterprise.name in body


@pytest.mark.django_db
def test_healthz(client):
    assert client.get("/healthz").content == b"ok"


def test_logout_is_post_only(client, buyer_a):
    client.force_login(buyer_a)
    client.get(reverse("account_logout"))
    assert "_auth_user_id" in client.session
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session
