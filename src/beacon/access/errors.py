"""Errors of signing in and authenticating (mapped like every DomainError)."""

from __future__ import annotations

from beacon.core.errors import DomainError


class Unauthenticated(DomainError):
    """No valid session or API token, or the second factor is still missing (401)."""

    http_status = 401
    code = "unauthenticated"


class SignInRefused(DomainError):
    """Wrong username, password or code, a locked or disabled account: one message."""

    http_status = 401
    code = "sign_in_failed"

    def __init__(
        self, message: str = "Sign-in failed.", *, reason: str = "", locked_now: bool = False
    ) -> None:
        super().__init__(message)
        self.reason = reason
        # This very attempt locked the account. Saying so tells the person at the keyboard
        # what to do next and tells a guesser nothing new: they have just failed as many
        # times in a row as the lockout allows. Later attempts get the one message again,
        # right password or not, so a locked account is no oracle for passwords.
        self.locked_now = locked_now


class RateLimited(DomainError):
    """Too many attempts from one source address; try again later (429)."""

    http_status = 429
    code = "rate_limited"
