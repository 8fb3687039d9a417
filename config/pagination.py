"""One pagination helper for every list page: 10 rows a page by default (DESIGN §8),
tolerant of any ``page`` value a user can type (bad input never gives a 500)."""

from django.core.paginator import Paginator

DEFAULT_PER_PAGE = 10


def paginate(request, queryset, per_page: int = DEFAULT_PER_PAGE, paginator_class=Paginator):
    paginator = paginator_class(queryset, per_page)
    page = paginator.get_page(request.GET.get("page"))
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page
