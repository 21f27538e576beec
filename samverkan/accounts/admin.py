from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group as PermissionGroup
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.audit import action_label
from samverkan.accounts.models import AuditEntry, ExternalIdentity, GroupRule, User

# The admin's own name, not "Django administration".
admin.site.site_header = _("Samverkan: administration")
admin.site.site_title = _("Samverkan administration")
admin.site.index_title = _("Registers and settings")

# Roles, not Django's permission groups, decide what a user may do (accounts.models.Role): the
# admin's "Grupper" are the partnership's groups (partnership.Group) only.
if admin.site.is_registered(PermissionGroup):
    admin.site.unregister(PermissionGroup)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "unit", "is_active"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("Partnership"), {"fields": ["role", "unit"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("Partnership"), {"fields": ["role", "unit"]}),
    ]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit log can be read, never written or changed, in the admin."""

    list_display = ["at", "user", "unit", "action_text", "target_type", "target_id", "count"]
    list_filter = ["action", "unit"]
    date_hierarchy = "at"

    @admin.display(description=_("action"))
    def action_text(self, entry: AuditEntry) -> str:
        return action_label(entry.action)

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False


@admin.register(GroupRule)
class GroupRuleAdmin(admin.ModelAdmin):
    """Which group at the identity provider gives which role and unit (first match wins)."""

    list_display = ["position", "provider", "group", "role", "unit"]
    list_display_links = ["group"]
    list_editable = ["position"]
    list_filter = ["provider", "role"]
    ordering = ["position", "id"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """Who signed in through which provider; made at the first sign-in, read-only here."""

    list_display = ["user", "provider", "subject", "last_sign_in"]
    list_filter = ["provider"]
    readonly_fields = ["user", "provider", "subject", "last_groups", "last_sign_in"]

    def has_add_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
