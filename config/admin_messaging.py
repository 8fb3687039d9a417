"""站内信 in the admin, region-scoped. messaging is the lowest layer and cannot know about
regions, so the scoping is added here (config may import every app): a regional
administrator sees only messages sent to users of enterprises registered in their
regions; anything else is a 404. A platform administrator sees all."""

from django.contrib import admin
from django.http import Http404

from enterprises.admin_scoping import RegionScopedMixin
from messaging.admin import MessageAdmin
from messaging.models import Message


class ScopedMessageAdmin(RegionScopedMixin, MessageAdmin):
    region_path = "recipient__enterprise_membership__enterprise__region"

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("对象不存在")


if not isinstance(admin.site._registry.get(Message), ScopedMessageAdmin):
    if admin.site.is_registered(Message):
        admin.site.unregister(Message)
    admin.site.register(Message, ScopedMessageAdmin)
