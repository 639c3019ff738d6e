from django.urls import include, path

from mutualaid.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("mutualaid.networks.urls")),
    path("", include("mutualaid.circulation.urls")),
]
