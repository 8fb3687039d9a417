"""One pagination helper for every list page: 10 rows a page by default (DESIGN §8),
tolerant of any ``page`` value a user can type (bad input never gives a 500)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

DEFAULT_PER_PAGE = 10


def paginate(request, queryset, per_page: int = DEFAULT_PER_PAGE, paginator_class=Paginator):
    paginator = paginator_class(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    # 共 N 条 ("1000+" from a capped paginator), counted already by get_page.
    page.count_label = paginator.count_label if getattr(paginator, "count_capped", False) else paginator.count
    return page


class CappedPaginator(Paginator):
    """A paginator that never counts past ``cap`` rows (``SELECT count(*) FROM (... LIMIT
    cap + 1)``): on a million rows an exact count costs more than the page itself.
    ``count`` is at most ``cap``; ``count_label`` says "10000+" when there are more, and
    pages past the cap are not offered (filters narrow the list instead)."""

    cap = 10_000
    count_capped = True  # the pagination partials show ``count_label``

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, cap=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        if cap is not None:
            self.cap = cap

    @cached_property
    def raw_count(self) -> int:
        if hasattr(self.object_list, "order_by"):
            return self.object_list.order_by()[: self.cap + 1].count()
        return len(self.object_list)

    @cached_property
    def count(self) -> int:
        return min(self.raw_count, self.cap)

    @property
    def more_than_cap(self) -> bool:
        return self.raw_count > self.cap

    @property
    def count_label(self) -> str:
        return f"{self.cap}+" if self.more_than_cap else str(self.count)
