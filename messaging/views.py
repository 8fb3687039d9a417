from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from config.pagination import paginate
from messaging import selectors, services


@login_required
def message_list(request):
    is_read = request.GET.get("is_read", "")
    if is_read not in ("", "0", "1"):
        is_read = ""
    page = paginate(request, selectors.inbox_for_user(request.user, is_read=is_read))
    return render(request, "messaging/message_list.html", {"page": page, "is_read": is_read, "menu": "站内信"})


@login_required
def message_detail(request, pk: int):
    message = selectors.message_for_user(request.user, pk)
    services.mark_read(message)
    return render(request, "messaging/message_detail.html", {"message": message, "menu": "站内信"})


@require_POST
@login_required
def message_delete(request, pk: int):
    message = selectors.message_for_user(request.user, pk)
    services.delete_message(message)
    messages.success(request, "站内信已删除。")
    return redirect("messaging:list")
