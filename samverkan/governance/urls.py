from django.urls import path

from samverkan.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("uppsagning/", views.notice_register, name="notice_register"),
    path("rapporter/<int:pk>/inlamnad/", views.item_submit, name="item_submit"),
    path("grupper/", views.groups, name="groups"),
    path("grupper/ledamot/ny/", views.member_edit, name="member_create"),
    path("grupper/ledamot/<int:pk>/", views.member_edit, name="member_edit"),
    path("moten/nytt/", views.meeting_create, name="meeting_create"),
    path("moten/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("beslut/", views.decisions, name="decisions"),
    path("ekonomi/", views.money, name="money"),
    path("ekonomi/utbetalning/", views.payment_create, name="payment_create"),
    path("ekonomi/export/", views.money_export, name="money_export"),
    path("ekonomi/redovisning/<int:year>/", views.financial_report, name="financial_report"),
    path(
        "ekonomi/redovisning/<int:year>/beslut/",
        views.financial_report_decide,
        name="financial_report_decide",
    ),
]
