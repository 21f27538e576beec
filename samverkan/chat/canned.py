"""Canned replies a volunteer can send with one click (translated: Swedish by default)."""

from django.utils.translation import gettext_lazy as _

CANNED_REPLIES = [
    _("Hi, and welcome to the chat! My name is not important here, and neither is yours."),
    _("Thank you for writing to us. Take your time — I am here."),
    _("What you tell me stays between us. I cannot see who you are or where you are."),
    _("Would you like to tell me a little more about what happened?"),
    _("It sounds really hard. It is good that you wrote."),
    _("It is never your fault if someone hurts you."),
    _("Wanting to change how you act is a strong first step."),
    _("If you are in danger right now, call 112."),
    _("Would you like me to tell you about a place where you can get more support?"),
    _("We need to end the chat soon. Is there anything more you want to say?"),
]
