"""The audit log: one call, `log_action`, for every read and write of records.

Action codes are mapped to translated text here and only here, so the log reads as sentences in
the reader's language and an unknown code is a programming error caught at once.
"""

from collections.abc import Iterable

from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import AuditEntry, User

ACTIONS = {
    "records.chat_conversation.viewed": _("viewed a chat conversation"),
    "records.chat_conversation.created": _("registered a chat conversation"),
    "records.chat_conversation.changed": _("changed a chat conversation"),
    "records.chat_conversation.deleted": _("deleted a chat conversation"),
    "records.clinic_client.viewed": _("viewed a clinic client"),
    "records.clinic_client.created": _("registered a clinic client"),
    "records.clinic_client.changed": _("changed a clinic client"),
    "records.clinic_client.deleted": _("deleted a clinic client"),
    "records.clinic_client.closed": _("closed a session series"),
    "records.clinic_client.reopened": _("reopened a session series"),
    "records.clinic_session.created": _("registered a session"),
    "records.clinic_session.deleted": _("deleted a session"),
    "records.support_centre_case.viewed": _("viewed a support-centre case"),
    "records.support_centre_case.created": _("registered a support-centre case"),
    "records.support_centre_case.changed": _("changed a support-centre case"),
    "records.support_centre_case.deleted": _("deleted a support-centre case"),
    "records.repaired": _("repaired a record in the administration"),
    "records.repair_deleted": _("deleted a record in the administration"),
    "records.listed": _("listed records"),
    "records.exported": _("exported records"),
    "records.exported_encrypted": _("exported records, encrypted with a password"),
    "records.imported": _("imported records"),
    "referrals.referral.issued": _("issued a referral code"),
    "referrals.referral.attached": _("linked a referral code to a chat conversation"),
    "referrals.referral.arrived": _("registered the arrival of a referral code"),
    "referrals.arrivals.listed": _("listed arrivals of referral codes"),
    "referrals.arrival.limited": _("was stopped after too many failed referral codes"),
    "api.token.created": _("issued an API token"),
    "api.token.revoked": _("revoked an API token"),
    "api.token.used": _("used an API token"),
    "api.token.refused": _("was refused with an API token"),
    "api.token.refusals_limited": _("was stopped after too many refused API tokens"),
    "statistics.history.changed": _("entered figures of earlier years"),
    "statistics.history.imported": _("imported figures of earlier years"),
    "statistics.own_unit.viewed": _("read their unit's exact figures on the overview"),
    "accounts.oidc.provisioned": _("was given an account at the first sign-in through a provider"),
    "accounts.oidc.signed_in": _("signed in through an identity provider"),
    "accounts.oidc.role_changed": _("was given another role or unit by the provider's groups"),
    "accounts.oidc.refused": _("was refused: no group rule gives a role"),
    "governance.notice.registered": _("registered a notice of the agreement"),
    "governance.obligation_item.submitted": _("marked a report to the partners as submitted"),
    "governance.meeting.created": _("registered a meeting and its decisions"),
    "governance.payment.created": _("registered a payment"),
    "governance.financial_report.saved": _("saved the financial report"),
    "governance.financial_report.submitted": _("submitted the financial report"),
    "governance.financial_report.approved": _("approved the financial report"),
    "governance.financial_report.returned": _("returned the financial report for correction"),
    "governance.group_member.created": _("added a member to a group"),
    "governance.group_member.changed": _("changed a group member"),
    "chat.directory_entry.changed": _("changed a service's entry in the chat's directory"),
    "accounts.password.changed": _("changed their password"),
    "accounts.authenticator.replaced": _("set up a new authenticator app"),
    "accounts.session.ended": _("ended another session of theirs"),
    "accounts.recovered": _("gave a user's account a new start (account recovery)"),
}


def log_action(
    action: str,
    *,
    user: User | None,
    target: models.Model | None = None,
    count: int | None = None,
    fields: Iterable[str] = (),
) -> AuditEntry:
    """Write one audit entry, in the caller's transaction (a rolled-back write leaves none)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to ACTIONS.")
    return AuditEntry.objects.create(
        user=user if user is not None and user.pk else None,
        unit_id=getattr(user, "unit_id", None),
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        count=count,
        fields=",".join(fields),
    )


def record_history(record: models.Model) -> QuerySet[AuditEntry]:
    """The registration and changes of one record, oldest first, for its page."""
    return (
        AuditEntry.objects.filter(
            target_type=record._meta.label_lower,
            target_id=record.pk,
            action__regex=r"\.(created|changed|closed)$",
        )
        .select_related("user")
        .order_by("at", "pk")
    )


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def audit_search(
    *,
    date_from=None,  # noqa: ANN001 - datetime.date | None
    date_to=None,  # noqa: ANN001
    username: str = "",
    unit_id: int | None = None,
    action: str = "",
    target_type: str = "",
    target_id: int | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries matching every given criterion, newest first: the follow-up of access
    that the Swedish privacy authority expects to be done systematically."""
    entries = AuditEntry.objects.select_related("user", "unit")
    if date_from:
        entries = entries.filter(at__date__gte=date_from)
    if date_to:
        entries = entries.filter(at__date__lte=date_to)
    if username:
        entries = entries.filter(user__username__iexact=username.strip())
    if unit_id:
        entries = entries.filter(unit_id=unit_id)
    if action:
        entries = entries.filter(action=action)
    if target_type:
        entries = entries.filter(target_type=target_type)
    if target_id is not None:
        entries = entries.filter(target_id=target_id)
    return entries.order_by("-at", "-pk")


TARGET_TYPES = {
    "records.chatconversation": _("chat conversation"),
    "records.clinicclient": _("clinic client"),
    "records.clinicsession": _("clinic session"),
    "records.supportcentrecase": _("support-centre case"),
    "referrals.referral": _("referral code"),
    "api.apitoken": _("API token"),
    "accounts.user": _("user"),
    "governance.notice": _("notice"),
    "governance.obligationitem": _("report to the partners"),
    "governance.meeting": _("meeting"),
    "governance.payment": _("payment"),
    "governance.financialreport": _("financial report"),
    "partnership.groupmember": _("group member"),
}
