"""URLs for bench/election_load.py only: the product's, plus a bare view measured beside the cast."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from coproduce.config.urls import urlpatterns as product


def bare(request):
    """The least a Django view can do, behind the same middleware as the cast (session, sign-in, CSRF).

    A GET answers with a CSRF token for the POSTs that are measured."""
    if request.method == "GET":
        return HttpResponse(get_token(request), content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare), *product]
