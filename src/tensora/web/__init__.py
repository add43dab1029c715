"""``tensora serve``: a local web app over the library and the whiteboard sessions.

``app.py`` holds the routes, ``jobs.py`` the worker threads and live sessions, ``uploads.py`` the bounded,
content-typed uploads, ``security.py`` the guard (host, token, same-origin, CSRF, body size, CSP) and
``server.py`` the entry point. No judgment lives here: the findings, their statuses and every sentence come
from ``tensora.whiteboard`` and ``tensora.render``. Needs the ``web`` extra (FastAPI, uvicorn, Jinja2).
"""
