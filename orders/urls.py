from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("", views.buyer_list, name="buyer_list"),
    path("create/<int:item_id>/", views.create, name="create"),
    path("<int:pk>/", views.buyer_detail, name="buyer_detail"),
    path("<int:pk>/placed/", views.placed, name="placed"),
    path("<int:pk>/cancel/", views.buyer_cancel, name="cancel"),
    path("<int:pk>/agree/", views.buyer_agree, name="agree"),
    path("<int:pk>/refuse/", views.buyer_refuse, name="refuse"),
    path("<int:pk>/review/", views.buyer_review, name="review"),
    path("<int:pk>/difference/", views.buyer_difference, name="difference"),
    path("<int:pk>/files/<str:which>/", views.order_file, name="file"),
    path("seller/", views.seller_list, name="seller_list"),
    path("seller/<int:pk>/", views.seller_detail, name="seller_detail"),
    path("seller/<int:pk>/accept/", views.seller_accept, name="accept"),
    path("seller/<int:pk>/decline/", views.seller_decline, name="decline"),
    path("seller/<int:pk>/complete/", views.seller_complete, name="complete"),
    path("seller/<int:pk>/redeem/", views.seller_redeem, name="redeem"),
]
