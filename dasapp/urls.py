from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dasapp import views

admin.site.site_header = "Domestic abuse case management: administration"
admin.site.site_title = "Administration"

api_v1 = [
    path("", include("people.api.urls")),
    path("", include("calls.api.urls")),
    # Before casework_urls: cases/bulk-reassign/ must not be read as a case id.
    path("", include("cases.api.assignment_urls")),
    path("", include("cases.api.casework_urls")),
    path("", include("risk.api.urls")),
    path("", include("partners.api.urls")),
    path("", include("cases.api.safety_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("account/sign-in/", views.SignInView.as_view(), name="login"),
    path("account/sign-out/", views.sign_out, name="sign_out"),
    path("account/two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("account/session/", views.session_status, name="session_status"),
    path("account/session/extend/", views.session_extend, name="session_extend"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("health/", views.health, name="health"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export.csv", views.access_log_export, name="access_log_export"),
    path("", include("people.urls")),
    path("", include("calls.urls")),
    path("", include("cases.urls")),
    path("", include("partners.urls")),
    path("", include("dasapp.notification_urls")),
    path("", include("cases.my_actions_urls")),  # my actions, needing attention
    path("", include("risk.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api_schema"), name="api_docs"),
]

handler404 = "dasapp.views.page_not_found"
handler500 = "dasapp.views.server_error"
