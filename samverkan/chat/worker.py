"""The production server's worker (gunicorn_conf.worker_class): uvicorn's, with the chat's
transport limit. uvicorn by default reads WebSocket messages of up to 16 MiB before refusing
one; daphne (the development server) refuses past 1 MiB. Both now refuse at the same size
(limits.MAX_TRANSPORT_BYTES), far above anything the chat accepts (protocol.MAX_RAW_FRAME),
so what a client is told about a frame does not depend on the server.

A text frame that is not UTF-8 is the client's fault, answered by closing with 1007 as RFC 6455
says; uvicorn logs it with a traceback as if it were the server's. It is logged here as a
warning of one line (`ClientGarbage`)."""

import logging

from uvicorn_worker import UvicornWorker as _UvicornWorker

from samverkan.chat.limits import MAX_TRANSPORT_BYTES


class ClientGarbage(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage().startswith("Invalid UTF-8 sequence received from client"):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


class UvicornWorker(_UvicornWorker):
    CONFIG_KWARGS = {**_UvicornWorker.CONFIG_KWARGS, "ws_max_size": MAX_TRANSPORT_BYTES}

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        logging.getLogger("uvicorn.error").addFilter(ClientGarbage())
