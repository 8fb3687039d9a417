from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404("即将开放")


buyer_list = create = buyer_detail = placed = buyer_cancel = buyer_agree = buyer_refuse = _todo
buyer_review = buyer_difference = order_file = seller_list = seller_detail = _todo
seller_accept = seller_decline = seller_complete = seller_redeem = _todo
