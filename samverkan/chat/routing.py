"""The chat's WebSocket paths. Only the console's socket reads the session (who is signed in);
the young person's socket reads no cookie at all."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from samverkan.chat.consumers import VolunteerConsumer, YoungPersonConsumer

websocket_urlpatterns = [
    path("ws/chatt/", YoungPersonConsumer.as_asgi()),
    path("ws/chatt/konsol/", AuthMiddlewareStack(VolunteerConsumer.as_asgi())),
]
