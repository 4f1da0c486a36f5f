"""Cloud Function ``assessments``: /api/v1/assessments/... (cards, quizzes, generation)."""

import functions_framework
from flask import Request
from werkzeug.wrappers import Response

from aksio import logs
from aksio.entrypoints import assessments as build
from aksio.http.app import install_framework_error_handlers

logs.configure()
install_framework_error_handlers()
app = build()


@functions_framework.http
def assessments(request: Request) -> Response:
    return app(request)
