"""task_worker: the Cloud Tasks HTTP target (OIDC-authenticated background jobs)."""

import flask
import functions_framework

from aksio.tasks.worker import handle_task_request


@functions_framework.http
def task_worker(request: flask.Request) -> flask.Response:
    return handle_task_request(request)
