from config.menus import buyer_menu


def navigation(request):
    """The 买家中心 menu; a callable so only pages that show it build it. A view names
    the active entry with ``menu`` in its context (e.g. "站内信")."""
    return {"buyer_menu": buyer_menu}
