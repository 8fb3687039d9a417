"""The portal's URLs plus the floor: a fixed small page through the same middleware."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as portal

FLOOR_PAGE = "<!doctype html><html lang=zh-hans><title>floor</title><p>长三角科技创新券</p></html>"


def floor(request):
    return HttpResponse(FLOOR_PAGE)


urlpatterns = [path("bench/floor", floor, name="bench_floor"), *portal]
