from django.urls import path

from samverkan.statistics import views

app_name = "statistics"
urlpatterns = [
    path("historik/", views.history_list, name="history"),
    path("historik/valj/", views.history_choose, name="history_choose"),
    path("historik/import/", views.history_import, name="history_import"),
    path("historik/mall/", views.history_template, name="history_template"),
    path("historik/<int:unit_id>/<str:month>/", views.history_month, name="history_month"),
]
