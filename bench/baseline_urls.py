"""The standard baseline's one page (bench/baseline_settings.py): one template, one query.

The same page as the project's own baseline (`/bench/baseline/`, config/urls.py), so that the
two differ only in what surrounds the view.
"""

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

_PAGE = engines["django"].from_string(
    "<!doctype html><html lang=en><head><title>Baseline</title></head>"
    "<body><p>{{ count }} active users.</p></body></html>"
)


def baseline(request: HttpRequest) -> HttpResponse:
    count = get_user_model().objects.filter(is_active=True).count()
    return HttpResponse(_PAGE.render({"count": count}, request))


urlpatterns = [path("bench/baseline/", baseline)]
