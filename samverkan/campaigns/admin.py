from django.contrib import admin

from samverkan.campaigns.models import Campaign, CampaignReach


class CampaignReachInline(admin.TabularInline):
    model = CampaignReach
    extra = 1


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "partnership", "starts_on", "ends_on"]
    list_filter = ["partnership"]
    inlines = [CampaignReachInline]
