from django.core.management.base import BaseCommand

from catalog.generator import generate


class Command(BaseCommand):
    help = "生成服务机构与服务项目测试数据（名称取自服务类别）"

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, default=1000)
        parser.add_argument("--institutions", type=int, default=50)
        parser.add_argument("--seed", type=int, default=20261127)

    def handle(self, *args, items, institutions, seed, **options):
        result = generate(items, institutions, seed=seed)
        self.stdout.write(f"已生成 {result['institutions']} 家服务机构、{result['items']} 个服务项目。")
