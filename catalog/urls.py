from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("items/<int:item_id>/", views.item_detail, name="item_detail"),
    path("instruments/<int:instrument_id>/", views.instrument_detail, name="instrument_detail"),
    path("shops/<int:institution_id>/", views.shop, name="shop"),
    path("img/<path:name>", views.public_image, name="image"),
    # 卖家中心
    path("seller/", views.seller_home, name="seller_home"),
    path("seller/profile/", views.seller_profile, name="seller_profile"),
    path("seller/sub-units/", views.seller_sub_units, name="seller_sub_units"),
    path("seller/sub-units/<int:sub_unit_id>/", views.seller_sub_unit_edit, name="seller_sub_unit_edit"),
    path("seller/sub-units/<int:sub_unit_id>/delete/", views.seller_sub_unit_delete, name="seller_sub_unit_delete"),
    path("seller/items/", views.seller_items, name="seller_items"),
    path("seller/items/new/", views.seller_item_create, name="seller_item_create"),
    path("seller/items/<int:item_id>/", views.seller_item_edit, name="seller_item_edit"),
    path("seller/items/<int:item_id>/shelf/", views.seller_item_shelf, name="seller_item_shelf"),
    path(
        "seller/items/<int:item_id>/images/<int:image_id>/delete/",
        views.seller_item_image_delete,
        name="seller_item_image_delete",
    ),
    path("seller/instruments/", views.seller_instruments, name="seller_instruments"),
    path("seller/instruments/new/", views.seller_instrument_create, name="seller_instrument_create"),
    path("seller/instruments/<int:instrument_id>/", views.seller_instrument_edit, name="seller_instrument_edit"),
    path(
        "seller/instruments/<int:instrument_id>/shelf/", views.seller_instrument_shelf, name="seller_instrument_shelf"
    ),
    path(
        "seller/instruments/<int:instrument_id>/images/<int:image_id>/delete/",
        views.seller_instrument_image_delete,
        name="seller_instrument_image_delete",
    ),
    path("seller/staff/", views.seller_staff, name="seller_staff"),
    path("seller/staff/<int:staff_id>/remove/", views.seller_staff_remove, name="seller_staff_remove"),
]
