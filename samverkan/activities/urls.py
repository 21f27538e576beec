from django.urls import path

from samverkan.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("ny/", views.activity_register, name="register"),
]
