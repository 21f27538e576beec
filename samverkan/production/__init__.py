"""Production mode: the server's configuration (gunicorn_conf.py) and throwaway servers for the
tests and benchmarks that prove it (redis_server.py). See docs/deploy.md."""
