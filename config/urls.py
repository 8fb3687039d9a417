from django.contrib import admin
from django.urls import include, path

from config import admin_site, views  # noqa: F401  (admin_site: audit admin, work queue, 统计分析)

admin.site.site_header = "长三角科技创新券通用通兑平台 管理后台"
admin.site.site_title = "长三角科技创新券通用通兑平台"
admin.site.index_title = "管理首页"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("account/", include("accounts.urls")),
    path("buyer/", views.buyer_home, name="buyer_home"),
    path("messages/", include("messaging.urls")),
    path("enterprise/", include("enterprises.urls")),
    path("catalog/", include("catalog.urls")),
    path("vouchers/", include("vouchers.urls")),
    path("orders/", include("orders.urls")),
    path("redemption/", include("redemption.urls")),
    path("favorites/", include("favorites.urls")),
    path("admin/", admin.site.urls),
]
