from django.contrib.auth import views as auth_views
from django.urls import path

from samverkan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("tvastegsverifiering/", views.verify, name="verify"),
    path("tvastegsverifiering/ny/", views.setup, name="setup"),
    path("logg/", views.audit_log, name="audit_log"),
]
