"""Cloud Function ``learning``: /api/v1/learning/... (study plans, sessions, progress)."""

import functions_framework
from flask import Request
from werkzeug.wrappers import Response

from aksio import logs
from aksio.entrypoints import learning as build
from aksio.http.app import install_framework_error_handlers

logs.configure()
install_framework_error_handlers()
app = build()


@functions_framework.http
def learning(request: Request) -> Response:
    return app(request)
