import logging

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("samverkan.chat")


class ChatConfig(AppConfig):
    name = "samverkan.chat"
    label = "chat"
    verbose_name = _("live chat")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_out

        user_logged_out.connect(_close_consoles_of_session, dispatch_uid="chat-sign-out")


def _close_consoles_of_session(sender, request, user, **kwargs) -> None:  # noqa: ANN001
    """Signing out closes the consoles opened with that session (actions.signed_out)."""
    from asgiref.sync import async_to_sync

    from samverkan.chat import actions

    session = getattr(request, "session", None)
    if session is None or not session.session_key:
        return
    try:
        async_to_sync(actions.signed_out)(session.session_key)
    except Exception as error:  # noqa: BLE001 (the sign-out itself must go on)
        logger.warning("chat sign-out notice: %s", type(error).__name__)
