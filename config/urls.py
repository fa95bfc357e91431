from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

from workshops import views as workshop_views

urlpatterns = [
    path("", workshop_views.landing, name="landing"),
    path("accounts/login/", workshop_views.FacilitatorLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=workshop_views.FacilitatorPasswordResetForm
        ),
        name="password_reset",
    ),
    path("language/", workshop_views.set_language, name="language"),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("questionnaires/", include("surveys.urls")),
    path("", include("workshops.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "workshops.views.bad_request"
handler403 = "workshops.views.permission_denied"
handler404 = "workshops.views.not_found"
handler500 = "workshops.views.server_error"


if settings.BENCH_BASELINE:
    _BASELINE = engines["django"].from_string(
        "<!doctype html><html lang=en><head><title>Baseline</title></head>"
        "<body><p>{{ count }} active users.</p></body></html>"
    )

    def bench_baseline(request: HttpRequest) -> HttpResponse:
        """The benchmark's yardstick: the whole middleware stack, one template, one query."""
        count = get_user_model().objects.filter(is_active=True).count()
        return HttpResponse(_BASELINE.render({"count": count}, request))

    urlpatterns.append(path("bench/baseline/", bench_baseline, name="bench_baseline"))
