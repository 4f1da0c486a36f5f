"""Request and response bodies of the accounts API (names fixed by API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from aksio.accounts.domain import validate_locale, validate_timezone

Text = Annotated[str, StringConstraints(strip_whitespace=True)]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Timezone = Annotated[str, AfterValidator(validate_timezone)]
Locale = Annotated[str, AfterValidator(validate_locale)]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,128}$")]


class Strict(BaseModel):
    """Request bodies reject unknown fields: a typo, or a client trying to set
    a server-owned field such as ``plan``, is a 400 rather than silently lost."""

    model_config = ConfigDict(extra="forbid")


# ------------------------------------------------------------------ auth
class RegisterRequest(Strict):
    email: EmailStr
    password: Password
    display_name: DisplayName


class LoginRequest(Strict):
    email: EmailStr
    password: Annotated[str, StringConstraints(min_length=1, max_length=128)]


class RefreshRequest(Strict):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=4096)]


class PasswordResetRequest(Strict):
    email: EmailStr


class PasswordResetConfirm(Strict):
    oob_code: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    new_password: Password


class UserOut(BaseModel):
    uid: str
    email: str | None
    display_name: str | None


class Tokens(BaseModel):
    user: UserOut
    id_token: str
    refresh_token: str
    expires_in: int


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str


class PasswordChanged(BaseModel):
    email: str


# ------------------------------------------------------------------ profile
StudyGoal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Profile(BaseModel):
    uid: str
    email: str | None
    display_name: str | None
    university: str | None = None
    program: str | None = None
    timezone: str = "UTC"
    locale: str = "en"
    study_goals: list[str] = []
    daily_goal_minutes: int = 30
    desired_retention: float = 0.9
    plan: str = "free"
    created_at: datetime


class ProfileUpdate(Strict):
    """Fields given are replaced; fields left out keep their value."""

    display_name: DisplayName | None = None
    university: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    program: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = None
    timezone: Timezone | None = None
    locale: Locale | None = None
    study_goals: Annotated[list[StudyGoal], Field(max_length=20)] | None = None
    daily_goal_minutes: Annotated[int, Field(ge=5, le=960)] | None = None
    desired_retention: Annotated[float, Field(ge=0.70, le=0.97)] | None = None

    @model_validator(mode="after")
    def _only_optional_fields_cleared(self) -> Self:
        # null clears university or program; the others always have a value
        for name in sorted(self.model_fields_set - {"university", "program"}):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


# ------------------------------------------------------------------ activity
ActivityKind = Literal["study", "review", "quiz", "reading", "tutor", "other"]


class ActivityCreate(Strict):
    kind: ActivityKind
    course_id: Id | None = None
    minutes: Annotated[int, Field(ge=0, le=1440)] = 0
    occurred_at: AwareDatetime | None = None
    """Defaults to now; clients syncing offline work may send an earlier time."""


class Activity(BaseModel):
    id: str
    kind: str
    course_id: str | None
    minutes: int
    occurred_at: datetime


class Streak(BaseModel):
    current: int
    longest: int
    today_done: bool
    last_active_date: date | None


# ------------------------------------------------------------------ feedback
class FeedbackCreate(Strict):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    context: dict[str, Any] | None = None

    @field_validator("context")
    @classmethod
    def _small_context(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        import json

        if value is not None and len(json.dumps(value)) > 4000:
            raise ValueError("context must be at most 4000 bytes of JSON")
        return value


class Feedback(BaseModel):
    id: str
    message: str
    rating: int | None
    context: dict[str, Any] | None
    created_at: datetime


# ------------------------------------------------------------------ export
class ExportedFile(BaseModel):
    name: str
    size: int
    content_type: str | None


class AccountExport(BaseModel):
    exported_at: datetime
    profile: Profile
    documents: dict[str, dict[str, Any]]
    """Every document under the user, keyed by its path below ``users/{uid}``."""
    files: list[ExportedFile]
