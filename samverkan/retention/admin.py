from django.contrib import admin

from samverkan.retention.models import Disposal, RetentionRule


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin):
    list_display = ["organisation", "kind", "years", "yearly"]
    list_filter = ["organisation", "kind"]


@admin.register(Disposal)
class DisposalAdmin(admin.ModelAdmin):
    """The disposal log, read-only: it is written by `samverkan dispose` only."""

    list_display = ["at", "run_on", "organisation", "kind", "count", "first_entry", "last_entry"]
    list_filter = ["kind", "organisation"]

    def has_add_permission(self, request) -> bool:  # noqa: ANN001
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False

    def has_delete_permission(self, request, obj=None) -> bool:  # noqa: ANN001
        return False
