from config.menus import buyer_menu


def navigation(request):
    """The 买家中心 menu; a callable so only pages that show it build it. A view names
    the active entry with ``menu`` in its context (e.g. "站内信"). ``header_q``: the
    header's search box keeps the term searched for (a missing ``request.GET.q`` in a
    template costs a failed lookup on every page)."""
    return {"buyer_menu": buyer_menu, "header_q": request.GET.get("q", "")}
