"""What a handler gets besides its validated inputs."""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.wrappers import Request

from aksio.composition import Services
from aksio.errors import Unauthenticated
from aksio.ports.identity import Principal


@dataclass
class RequestContext:
    request: Request
    services: Services
    request_id: str
    principal: Principal | None = None
    status: int | None = None
    """Set by a handler whose answer's status depends on the outcome."""

    @property
    def uid(self) -> str:
        if self.principal is None:  # a route declared auth=False asked for the user
            raise Unauthenticated("Sign in first.")
        return self.principal.uid

    @property
    def client_ip(self) -> str:
        # Behind Google's load balancer the client is the first X-Forwarded-For hop.
        forwarded = self.request.headers.get("X-Forwarded-For", "")
        first = forwarded.split(",")[0].strip()
        return first or (self.request.remote_addr or "unknown")
