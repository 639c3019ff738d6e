from django.http import HttpResponse
from django.urls import include, path

from mutualaid.api import api_urls


def healthz(request):
    """Liveness for operators, load balancers and benchmarks: the process answers. No database access."""
    return HttpResponse("ok\n", content_type="text/plain")


handler500 = "mutualaid.core.middleware.server_error"  # the 503 page when the database is unreachable

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api_urls()),
    path("", include("mutualaid.networks.urls")),
    path("", include("mutualaid.circulation.urls")),
    path("", include("mutualaid.circulation.suggestions.urls")),
    path("", include("mutualaid.front.urls")),
]
