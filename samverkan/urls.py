from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from samverkan.chat.actions import LiveRecord
from samverkan.navigation import home
from samverkan.records.pages import Start, register_start

# The database gone or read-only behind an error outside the views: a 503, not a 500 or 400.
handler500 = "samverkan.production.middleware.server_error"
handler400 = "samverkan.production.middleware.bad_request"
# Not found and not allowed: the application's own pages, in Swedish (samverkan.core.error_pages).
handler404 = "samverkan.core.error_pages.page_not_found"
handler403 = "samverkan.core.error_pages.permission_denied"

urlpatterns = [
    path("", home, name="home"),
    path("konto/", include("samverkan.accounts.urls")),
    path("registrering/", include("samverkan.records.urls")),
    path("kampanjer/", include("samverkan.campaigns.urls")),
    path("aktiviteter/", include("samverkan.activities.urls")),
    path("remisskoder/", include("samverkan.referrals.urls")),
    path("oversikt/", include("samverkan.dashboard.urls")),
    path("namndhandlingar/", include("samverkan.reports.urls")),
    path("styrning/", include("samverkan.governance.urls")),
    path("sprak/", include("django.conf.urls.i18n")),
    path("chatt/", include("samverkan.chat.urls")),
    path("api/v1/", include("samverkan.api.urls")),
    path("api-nycklar/", include("samverkan.api.staff_urls")),
    path("statistik/", include("samverkan.statistics.urls")),
    path("admin/", admin.site.urls),
]

# A post-chat record straight from the live chat's console (`?samtal=<id>`) starts from what was
# noted there, and saving it links the chat's referral codes: the chat sits above the records, so
# the site puts the two together here (records.pages, "Where a new record starts from").
register_start(
    "chat",
    Start(
        parameter="samtal",
        find=LiveRecord.for_user,
        gone=_("That conversation is already registered, or no longer kept."),
        back_to="chat:console",
    ),
)
