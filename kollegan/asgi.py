"""The chat process (ASGI, Django Channels): ``granian --interface asginl
kollegan.asgi:application``, started by ``manage.py serve``. Pages are served
by the WSGI server (kollegan.wsgi), which is several times faster for them."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kollegan.settings")
get_asgi_application()  # sets Django up before the consumers are imported

from channels.routing import ProtocolTypeRouter  # noqa: E402

from kollegan.chat.realtime import warm_up  # noqa: E402
from kollegan.chat.routing import http_app, websocket_app  # noqa: E402

application = ProtocolTypeRouter({"http": http_app, "websocket": websocket_app})

# Load now what the first message would otherwise wait half a second for: the
# Swedish catalogue, the message's template, and the modules a send imports.
warm_up()

# Everything loaded so far lives as long as the process: moved out of the
# collector's sight, a large group's burst of short-lived objects is collected
# without walking Django's modules and settings each time.
gc.freeze()
