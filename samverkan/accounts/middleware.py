"""Every signed-in user passes the second factor before anything else."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from samverkan.accounts.security import confirmed_device

# Pages a signed-in user reaches before the second factor: to give it, set it up, or leave.
OPEN_PATHS = ("accounts:verify", "accounts:setup", "accounts:logout")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():  # type: ignore[union-attr]
            open_paths = {reverse(name) for name in OPEN_PATHS}
            if request.path not in open_paths and not request.path.startswith(
                ("/static/", "/sprak/")
            ):
                target = "accounts:verify" if confirmed_device(user) else "accounts:setup"
                return redirect(target)
        return self.get_response(request)
