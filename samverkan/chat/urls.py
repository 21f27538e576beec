from django.urls import path

from samverkan.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.start, name="start"),
    path("konsol/", views.console, name="console"),
    path("oversikt/", views.supervisor, name="supervisor"),
    path("oversikt/handelser/", views.supervisor_events, name="supervisor_events"),
    path("tjanster/", views.directory, name="directory"),
    path("tjanster/<int:service_id>/", views.directory_edit, name="directory_edit"),
]
