"""The ASGI application: Django's pages over HTTP and the live chat over WebSockets.

`samverkan runserver` (daphne's) serves it; in production, `daphne samverkan.asgi:application`
(without --access-log: the chat keeps no trace of its traffic). WebSockets are accepted only from
the site's own pages (the Origin header must be one of ALLOWED_HOSTS), so another site cannot
open a volunteer's console with the volunteer's cookie.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
# Django is set up before anything that imports models (the consumers).
django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from samverkan.chat.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns)),
    }
)
