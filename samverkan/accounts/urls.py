from django.urls import path

from samverkan.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.logout, name="logout"),
    path("oidc/<slug:provider>/", views.oidc_login, name="oidc_login"),
    path("oidc/<slug:provider>/klar/", views.oidc_callback, name="oidc_callback"),
    path("tvastegsverifiering/", views.verify, name="verify"),
    path("tvastegsverifiering/ny/", views.setup, name="setup"),
    path("logg/", views.audit_log, name="audit_log"),
    path("mitt-konto/", views.account, name="account"),
    path("mitt-konto/losenord/", views.password_change, name="password_change"),
    path("mitt-konto/ny-app/", views.authenticator_replace, name="authenticator_replace"),
    path("mitt-konto/sessioner/<int:session_id>/avsluta/", views.session_end, name="session_end"),
    path("aterstallning/", views.recovery, name="recovery"),
]
