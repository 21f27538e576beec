from django.contrib import admin

from samverkan.activities.models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "topic", "participants", "partnership"]
    list_filter = ["kind", "partnership"]
    filter_horizontal = ["organisations", "units"]
