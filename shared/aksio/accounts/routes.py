"""HTTP handlers of ``/api/v1/accounts``: validation is declared by the
signatures (see aksio.http.router); the work happens in the domain modules."""

from __future__ import annotations

from aksio.accounts import activity, feedback, lifecycle, profiles, sessions
from aksio.accounts.models import (
    Accepted,
    AccountExport,
    Activity,
    ActivityCreate,
    Feedback,
    FeedbackCreate,
    LoginRequest,
    PasswordChanged,
    PasswordResetConfirm,
    PasswordResetRequest,
    Profile,
    ProfileUpdate,
    RefreshRequest,
    RegisterRequest,
    Streak,
    Tokens,
)
from aksio.http.context import RequestContext
from aksio.http.router import Router
from aksio.pagination import Page, PageQuery

router = Router(prefix="/api/v1/accounts", tag="accounts")


@router.post("/register/", status=201, auth=False, errors=(409, 429, 503))
def register(ctx: RequestContext, body: RegisterRequest) -> Tokens:
    """Create an account with email and password; answers with tokens."""
    return sessions.register(
        ctx.services, body.email, body.password, body.display_name, ctx.client_ip
    )


@router.post("/login/", auth=False, errors=(401, 429, 503))
def login(ctx: RequestContext, body: LoginRequest) -> Tokens:
    """Sign in with email and password."""
    return sessions.login(ctx.services, body.email, body.password, ctx.client_ip)


@router.post("/token-refresh/", auth=False, errors=(401, 429, 503))
def token_refresh(ctx: RequestContext, body: RefreshRequest) -> Tokens:
    """Exchange a refresh token for a new ID token."""
    return sessions.refresh(ctx.services, body.refresh_token, ctx.client_ip)


@router.post("/logout/", status=204, errors=(503,))
def logout(ctx: RequestContext) -> None:
    """Revoke every session of the user (refresh tokens and older ID tokens)."""
    sessions.logout(ctx.services, ctx.uid, ctx.services.clock.now())


@router.post("/password-reset/", status=202, auth=False, errors=(429, 503))
def password_reset(ctx: RequestContext, body: PasswordResetRequest) -> Accepted:
    """Email a password-reset code (the same answer whether or not the account exists)."""
    sessions.request_password_reset(ctx.services, body.email, ctx.client_ip)
    return Accepted(message="If an account exists for this email, a reset link is on its way.")


@router.post("/password-reset-confirm/", auth=False, errors=(429, 503))
def password_reset_confirm(ctx: RequestContext, body: PasswordResetConfirm) -> PasswordChanged:
    """Set a new password with the code from the reset email."""
    email = sessions.confirm_password_reset(
        ctx.services, body.oob_code, body.new_password, ctx.client_ip
    )
    return PasswordChanged(email=email)


@router.get("/profile/", errors=(404,))
def get_profile(ctx: RequestContext) -> Profile:
    """The caller's profile."""
    return profiles.get_profile(ctx.services.documents, ctx.uid)


@router.put("/profile/", errors=(404,))
def put_profile(ctx: RequestContext, body: ProfileUpdate) -> Profile:
    """Change profile fields; fields left out keep their value."""
    return profiles.update_profile(ctx.services.documents, ctx.uid, body, ctx.services.clock.now())


@router.patch("/profile/", errors=(404,))
def patch_profile(ctx: RequestContext, body: ProfileUpdate) -> Profile:
    """Same as PUT: change the fields given."""
    return put_profile(ctx, body)


@router.delete("/profile/", status=204, errors=(503,))
def delete_account(ctx: RequestContext) -> None:
    """Delete the account: the sign-in user and every document and file under it."""
    s = ctx.services
    lifecycle.delete_account(s.documents, s.blobs, s.identity, ctx.uid)


@router.get("/export/")
def export_account(ctx: RequestContext) -> AccountExport:
    """Everything stored about the caller, as JSON."""
    s = ctx.services
    return lifecycle.export_account(s.documents, s.blobs, ctx.uid, s.clock.now())


@router.post("/activity/", status=201)
def record_activity(ctx: RequestContext, body: ActivityCreate) -> Activity:
    """Record study activity; it counts towards the streak, and its minutes
    towards the minutes studied of the progress page."""
    s = ctx.services
    return activity.record_activity(
        s.documents, ctx.uid, body, s.clock.now(), logged_by_student=True
    )


@router.get("/activity/list/")
def list_activity(ctx: RequestContext, query: PageQuery) -> Page[Activity]:
    """The caller's activity, newest first."""
    return activity.list_activity(ctx.services.documents, ctx.uid, query)


@router.get("/streak/")
def get_streak(ctx: RequestContext) -> Streak:
    """Current and longest streak of active days, in the caller's time zone."""
    return activity.get_streak(ctx.services.documents, ctx.uid, ctx.services.clock.now())


@router.post("/feedback/", status=201)
def send_feedback(ctx: RequestContext, body: FeedbackCreate) -> Feedback:
    """Send feedback about the product."""
    return feedback.send_feedback(ctx.services.documents, ctx.uid, body, ctx.services.clock.now())
