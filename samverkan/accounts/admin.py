from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import User


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
