from django.urls import path

from redemption import views

app_name = "redemption"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/orders/", views.order_dialog, name="order_dialog"),
    path("<int:pk>/orders/add/", views.orders_add, name="orders_add"),
    path("<int:pk>/lines/<int:line_id>/remove/", views.line_remove, name="line_remove"),
    path("<int:pk>/lines/<int:line_id>/amount/", views.line_amount, name="line_amount"),
    path("<int:pk>/invoices/", views.invoice_dialog, name="invoice_dialog"),
    path("<int:pk>/invoices/new/", views.invoice_new, name="invoice_new"),
    path("<int:pk>/invoices/<int:invoice_id>/delete/", views.invoice_delete, name="invoice_delete"),
    path("<int:pk>/lines/<int:line_id>/invoice/", views.line_invoice, name="line_invoice"),
    path("<int:pk>/attachments/new/", views.attachment_new, name="attachment_new"),
    path("<int:pk>/attachments/<int:attachment_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("quick/", views.quick_list, name="quick_list"),
    path("quick/new/", views.quick_create, name="quick_create"),
    path("quick/<int:pk>/", views.detail, name="quick_detail"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("files/attachment/<int:pk>/", views.attachment_file, name="attachment_file"),
    path("files/invoice/<int:pk>/", views.invoice_file, name="invoice_file"),
    path("files/claim/<int:pk>/<str:which>/", views.claim_file, name="claim_file"),
    path("expert/", views.expert_list, name="expert_list"),
    path("expert/<int:pk>/", views.expert_review, name="expert_review"),
    path("notices/", views.notice_list, name="notice_list"),
]
