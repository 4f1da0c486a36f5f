"""Cloud Function ``courses``: /api/v1/courses/... (courses, sections, documents, search)."""

import functions_framework
from flask import Request
from werkzeug.wrappers import Response

from aksio import logs
from aksio.entrypoints import courses as build
from aksio.http.app import install_framework_error_handlers

logs.configure()
install_framework_error_handlers()
app = build()


@functions_framework.http
def courses(request: Request) -> Response:
    return app(request)
