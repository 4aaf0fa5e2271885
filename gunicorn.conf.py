"""gunicorn settings: `gunicorn -c gunicorn.conf.py 'guide:create_app()'`.
Everything can be overridden from the environment (GUNICORN_BIND, GUNICORN_WORKERS, …)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = 30
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESSLOG")  # "-" for stdout
errorlog = "-"


def nworkers_changed(server, new_value, old_value):
    """Tell the guide how many workers share this server (before any loads it, and again when
    TTIN/TTOU change it): counted in memory, login limits need one process (guide.config)."""
    os.environ["GUIDE_GUNICORN_WORKERS"] = str(new_value)
