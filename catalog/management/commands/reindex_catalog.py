from django.core.management.base import BaseCommand

from catalog.services import reindex_items


class Command(BaseCommand):
    help = "重建服务项目的检索索引（search_text / search_vector）"

    def handle(self, *args, **options):
        count = reindex_items()
        self.stdout.write(f"已重建 {count} 个服务项目的检索索引。")
