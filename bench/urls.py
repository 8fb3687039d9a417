"""The portal's URLs plus the floor: a fixed small page through the same middleware."""

from django.http import Http404, HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal
from enterprises.selectors import membership_for_user

FLOOR_PAGE = "<!doctype html><html lang=zh-hans><title>floor</title><p>长三角科技创新券</p></html>"


def floor(request):
    return HttpResponse(FLOOR_PAGE)


def floor_buyer(request):
    """The same page after what every 买家中心 page does first: the session's user and the
    enterprise they act for. Not a page of the list: it shows how much of a logged-in
    page's cost comes before the page itself."""
    if membership_for_user(request.user) is None:
        raise Http404
    return HttpResponse(FLOOR_PAGE)


urlpatterns = [
    path("bench/floor", floor, name="bench_floor"),
    path("bench/floor-buyer", floor_buyer, name="bench_floor_buyer"),
    *portal,
]
