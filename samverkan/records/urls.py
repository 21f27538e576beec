from django.urls import path

from samverkan.records import views

app_name = "records"
urlpatterns = [
    path("chattsamtal/", views.chat_list, name="chat_list"),
    path("chattsamtal/nytt/", views.chat_create, name="chat_create"),
    path("chattsamtal/<int:conversation_id>/", views.chat_detail, name="chat_detail"),
]
