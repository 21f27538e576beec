"""The WebSocket transport's limit, apart from everything else so that the server's worker
class (worker.py, loaded by gunicorn before Django is set up) can read it."""

# A WebSocket message larger than this is refused by the server itself, which drops the
# connection (1009): daphne's own limit, and uvicorn's in production (worker.py).
MAX_TRANSPORT_BYTES = 1024 * 1024
