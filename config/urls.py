from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("interviews.urls")),
]

handler404 = "interviews.api.not_found"  # JSON under /api/
handler500 = "interviews.views.server_error"
