"""Cloud Function ``accounts``: /api/v1/accounts/..., /api/health/, /api/openapi.json."""

import functions_framework
from flask import Request
from werkzeug.wrappers import Response

from aksio import logs
from aksio.entrypoints import accounts as build
from aksio.http.app import install_framework_error_handlers

logs.configure()
install_framework_error_handlers()
app = build()


@functions_framework.http
def accounts(request: Request) -> Response:
    return app(request)
