"""Roles as Django groups with exact permissions (区域管理员, 专家, 平台管理员).

Each app lists the permissions its models grant to a role in settings.ROLE_PERMISSIONS
({group name: ["app_label.codename", ...]}); after every migrate the groups are brought
in line with that list, so a new model's permissions are one settings line away."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission

ROLE_GROUP = {
    "region_admin": "区域管理员",
    "expert": "专家",
    "platform_admin": "平台管理员",
}


def sync_role_groups(**kwargs) -> None:
    for group_name, perms in settings.ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)


def put_user_in_role_group(user) -> None:
    """Give a staff user the group of their role (used when creating such users)."""
    name = ROLE_GROUP.get(user.role)
    if name:
        group, _ = Group.objects.get_or_create(name=name)
        user.groups.add(group)
