"""Ledger check (DESIGN §6): every voucher's stored amounts equal the sums of its entries."""

from django.core.management.base import BaseCommand, CommandError

from vouchers.selectors import ledger_differences


class Command(BaseCommand):
    help = "检查每张创新券的金额与流水是否一致；有差异时列出并以非零状态退出"

    def handle(self, *args, **options):
        problems = ledger_differences()
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"发现 {len(problems)} 处差异")
        self.stdout.write(self.style.SUCCESS("创新券流水检查通过"))
