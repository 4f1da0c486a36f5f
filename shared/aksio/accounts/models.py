"""Request and response bodies of the accounts API (names fixed by API.md)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    EmailStr,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from aksio.accounts.domain import validate_locale, validate_timezone
from aksio.validation import INTEGRAL, OMITTED, Id, Strict

Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Timezone = Annotated[str, AfterValidator(validate_timezone)]
Locale = Annotated[str, AfterValidator(validate_locale)]
GoalMinutes = Annotated[int, Field(ge=5, le=960), INTEGRAL]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


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
    """Fields given are replaced; fields left out keep their value. Only
    ``university`` and ``program`` can be cleared, with null."""

    display_name: DisplayName | SkipJsonSchema[None] = OMITTED
    university: ShortText | None = None
    program: ShortText | None = None
    timezone: Timezone | SkipJsonSchema[None] = OMITTED
    locale: Locale | SkipJsonSchema[None] = OMITTED
    study_goals: Annotated[list[StudyGoal], Field(max_length=20)] | SkipJsonSchema[None] = OMITTED
    daily_goal_minutes: Annotated[int, Field(ge=5, le=960), INTEGRAL] | SkipJsonSchema[None] = (
        OMITTED
    )
    desired_retention: Annotated[float, Field(ge=0.70, le=0.97)] | SkipJsonSchema[None] = OMITTED

    @model_validator(mode="after")
    def _only_optional_fields_cleared(self) -> Self:
        # None is the "not given" default; an explicit null is refused here
        for name in sorted(self.model_fields_set - {"university", "program"}):
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


# ------------------------------------------------------------------ activity
ActivityKind = Literal["study", "review", "quiz", "reading", "tutor", "other"]


class ActivityCreate(Strict):
    kind: ActivityKind
    course_id: Id | None = None
    minutes: Annotated[int, Field(ge=0, le=1440), INTEGRAL] = 0
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
ContextKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")]
ContextValue = (
    Annotated[str, StringConstraints(max_length=500)]
    | Annotated[int, Field(ge=-(2**63), le=2**63 - 1)]  # what a document store can hold
    | float
    | bool
    | None
)


class FeedbackCreate(Strict):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    rating: Annotated[int, Field(ge=1, le=5), INTEGRAL] | None = None
    context: (
        Annotated[
            dict[ContextKey, ContextValue],
            # keys must match the pattern: say so in the schema, not only in code
            Field(max_length=20, json_schema_extra={"additionalProperties": False}),
        ]
        | None
    ) = None
    """Where the student was, e.g. ``{"screen": "quiz", "app_version": "1.4.2"}``:
    flat, with plain keys, so it stores as-is in any document store."""


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
