"""One base class for domain errors.

Services raise these with translated, user-readable messages; each way out (command line, form,
API) turns them into its own kind of message in one place.
"""


class SamverkanError(Exception):
    """A domain rule was broken; `str(error)` is fit to show a user."""


class NotFound(SamverkanError):
    pass


class Forbidden(SamverkanError):
    """The user may not do this (writes; reads answer NotFound so as to reveal nothing)."""


class RateLimited(SamverkanError):
    """Too many attempts in a window (e.g. guessing referral codes); try again later."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
