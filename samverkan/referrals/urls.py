from django.urls import path

from samverkan.referrals import views

app_name = "referrals"
urlpatterns = [
    path("ankomst/", views.arrive, name="arrive"),
]
