"""Load the demo data of every app (idempotent) and print the demo logins.

The loaders are listed in settings.DEMO_LOADERS and imported by name, so this command
(in the lowest domain app) does not import the apps above it."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "载入演示数据（可重复执行）并打印演示账号"

    def handle(self, *args, **options):
        logins = []
        with transaction.atomic():
            for path in settings.DEMO_LOADERS:
                logins.extend(import_string(path)(self.stdout) or [])
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {settings.DEMO_PASSWORD}）：")
        for role, username, where in logins:
            self.stdout.write(f"  {role:<24} {username:<18} 登录后进入 {where}")
        self.stdout.write("门户：http://127.0.0.1:8000/   管理后台：http://127.0.0.1:8000/admin/")
