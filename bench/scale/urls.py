"""The benchmark's URLconf: the whole site plus the floor, a trivial staff
view behind the same middleware and the same staff check as every staff
page. Only ``./tinig bench scale`` uses it (ROOT_URLCONF set there), never
production."""

from django.http import HttpResponse
from django.urls import path

from accounts.decorators import staff_required
from config.urls import urlpatterns as site

FLOOR_PATH = "/staff/bench-floor/"


@staff_required
def floor(request):
    return HttpResponse("<!doctype html><title>floor</title><p>floor</p>")


urlpatterns = [path(FLOOR_PATH.strip("/") + "/", floor, name="bench_floor"), *site]
