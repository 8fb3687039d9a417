from django import template
from django.urls import reverse

from enterprises.selectors import external_login_buttons

register = template.Library()


@register.simple_tag(takes_context=True)
def external_logins(context):
    """The regional external-login buttons for the login page (POST forms)."""
    request = context["request"]
    buttons = external_login_buttons(request)
    for button in buttons:
        button["url"] = reverse("openid_connect_login", kwargs={"provider_id": button["provider_id"]})
    return buttons
