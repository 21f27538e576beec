"""A service's refusal shown where the user acts: views run a service inside one of these, and a
`SamverkanError` it raises (a rule the user can act on: "the agreement had already ended on that
day") becomes the form's error above its fields, or a message on the next page. Anything else
is a fault of the program and is not caught here.

    with refusal_on_form(form):
        services.payment_create(agreement=agreement, by=request.user, **form.cleaned_data)
    if not form.errors:
        messages.success(request, _("The payment is registered."))
        return redirect("governance:money")
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from samverkan.core.errors import SamverkanError


@contextmanager
def refusal_on_form(form: forms.BaseForm) -> Iterator[None]:
    """A refusal becomes the form's non-field error; `form.errors` then says it was refused."""
    try:
        yield
    except SamverkanError as error:
        form.add_error(None, str(error))


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """A refusal becomes an error message on the next page (for actions without a form page)."""
    try:
        yield
    except SamverkanError as error:
        messages.error(request, str(error))
