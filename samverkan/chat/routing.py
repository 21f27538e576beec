"""The chat's WebSocket paths. Only the console's socket reads the session (who is signed in);
the young person's socket reads no cookie at all."""

from channels.auth import AuthMiddlewareStack
from django.urls import path

from samverkan.chat import protocol
from samverkan.chat.consumers import VolunteerConsumer, YoungPersonConsumer

websocket_urlpatterns = [
    path("ws/chatt/", YoungPersonConsumer.as_asgi()),
    path("ws/chatt/konsol/", AuthMiddlewareStack(VolunteerConsumer.as_asgi())),
]

# The URL configuration is loaded at start-up (the ASGI application imports this module), not
# by the first `ended` of a worker: that `reverse` took two to three seconds on the event loop
# every socket of the worker shares.
protocol.record_path()
