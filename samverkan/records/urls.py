from django.urls import path

from samverkan.records import clinic_views, upload_views, views
from samverkan.records.kinds import KINDS

app_name = "records"
urlpatterns = []
for kind, prefix in ((each.name, each.url_prefix) for each in KINDS.values()):
    urlpatterns += [
        path(f"{prefix}/", views.record_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{prefix}/nytt/", views.record_create, {"kind": kind}, name=f"{kind}_create"),
        path(f"{prefix}/export/", views.record_export, {"kind": kind}, name=f"{kind}_export"),
        path(
            f"{prefix}/<int:record_id>/andra/",
            views.record_edit,
            {"kind": kind},
            name=f"{kind}_edit",
        ),
        path(
            f"{prefix}/<int:record_id>/ta-bort/",
            views.record_delete,
            {"kind": kind},
            name=f"{kind}_delete",
        ),
        path(
            f"{prefix}/<int:record_id>/",
            views.record_detail,
            {"kind": kind},
            name=f"{kind}_detail",
        ),
    ]
    urlpatterns += [
        path(
            f"{prefix}/import/", upload_views.record_import, {"kind": kind}, name=f"{kind}_import"
        ),
        path(
            f"{prefix}/import/bekrafta/",
            upload_views.record_import_confirm,
            {"kind": kind},
            name=f"{kind}_import_confirm",
        ),
        path(
            f"{prefix}/import/mall/",
            upload_views.record_import_template,
            {"kind": kind},
            name=f"{kind}_import_template",
        ),
    ]
urlpatterns += [
    path(
        "klienter/<int:record_id>/samtal/",
        clinic_views.clinic_session_add,
        name="clinic_session_add",
    ),
    path(
        "klienter/<int:record_id>/avsluta/", clinic_views.clinic_client_close, name="clinic_close"
    ),
    path(
        "klienter/<int:record_id>/oppna/", clinic_views.clinic_client_reopen, name="clinic_reopen"
    ),
    path(
        "klienter/<int:record_id>/samtal/<int:session_id>/ta-bort/",
        clinic_views.clinic_session_delete,
        name="clinic_session_delete",
    ),
]
