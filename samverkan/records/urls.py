from django.urls import path

from samverkan.records import views

app_name = "records"
urlpatterns = []
for kind, prefix in [("chat", "chattsamtal"), ("support", "arenden")]:
    urlpatterns += [
        path(f"{prefix}/", views.record_list, {"kind": kind}, name=f"{kind}_list"),
        path(f"{prefix}/nytt/", views.record_create, {"kind": kind}, name=f"{kind}_create"),
        path(
            f"{prefix}/<int:record_id>/",
            views.record_detail,
            {"kind": kind},
            name=f"{kind}_detail",
        ),
    ]
