from django.urls import path

from samverkan.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("ny/", views.report_new, name="new"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/forhandsgranska/", views.report_preview, name="preview"),
    path("<int:report_id>/hamta/", views.report_download, name="download"),
]
