"""Cloud Function ``accounts``: /api/v1/accounts/..., /api/health/, /api/openapi.json."""

import functions_framework
from flask import Request
from werkzeug.wrappers import Response

from aksio import logs
from aksio.entrypoints import accounts as build

logs.configure()
app = build()


@functions_framework.http
def accounts(request: Request) -> Response:
    return app(request)
