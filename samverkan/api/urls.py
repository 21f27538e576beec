from django.urls import path, re_path
from drf_spectacular.views import SpectacularRedocView
from rest_framework.routers import SimpleRouter

from samverkan.api import views

app_name = "api"

router = SimpleRouter()
router.register("chat-conversations", views.ChatViewSet, basename="chat")
router.register("support-centre-cases", views.SupportViewSet, basename="support")
router.register("clinic-clients", views.ClinicViewSet, basename="clinic")

urlpatterns = [
    *router.urls,
    path("clinic-clients/<int:pk>/close/", views.ClinicCloseView.as_view(), name="clinic-close"),
    path(
        "clinic-clients/<int:pk>/sessions/",
        views.ClinicSessionView.as_view(),
        name="clinic-sessions",
    ),
    path("referral-arrivals/", views.ArrivalView.as_view(), name="arrivals"),
    path("statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    # Redoc, not Swagger UI: Swagger UI nests a button in a button for every operation and
    # draws its method badges below 4.5:1 contrast (WCAG 2.1 AA), in its own script; Redoc
    # shows the same schema without a violation (axe-core, tests/browser).
    path("docs/", SpectacularRedocView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under the API is a problem too, not the web application's HTML page.
    re_path(r"", views.NotFoundView.as_view()),
]
