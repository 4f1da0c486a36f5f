"""Direct uploads for the local blob store: the stand-in for Cloud Storage's
resumable upload sessions.

``session_url`` hands out a URL on the dev gateway carrying a signed,
expiring token that names the object, its type and its size; the gateway's
``PUT /_local/uploads/<token>`` checks it and stores the bytes, which then
finalise like any other write. Tokens are signed with itsdangerous (Flask's
own signing library) so a client cannot choose another object name.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

UPLOAD_PATH = "/_local/uploads/"
SESSION_TTL_S = 7 * 24 * 3600  # Cloud Storage's resumable sessions last a week


class InvalidUpload(Exception):
    """The token is forged, expired, or the bytes do not match it."""


@dataclass(frozen=True)
class UploadGrant:
    bucket: str
    name: str
    content_type: str
    size: int


class LocalUploads:
    def __init__(self, base_url: str, secret: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._serializer = URLSafeTimedSerializer(secret, salt="aksio-local-upload")

    def session_url(self, bucket: str, name: str, *, content_type: str, size: int) -> str:
        token = self._serializer.dumps([bucket, name, content_type, size])
        return f"{self.base_url}{UPLOAD_PATH}{token}"

    def grant(self, token: str) -> UploadGrant:
        try:
            bucket, name, content_type, size = self._serializer.loads(token, max_age=SESSION_TTL_S)
        except SignatureExpired:
            raise InvalidUpload("this upload URL has expired") from None
        except (BadSignature, ValueError, TypeError):
            raise InvalidUpload("this upload URL is not valid") from None
        return UploadGrant(str(bucket), str(name), str(content_type), int(size))
