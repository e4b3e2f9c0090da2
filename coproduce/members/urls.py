"""Members' pages (mounted inside the language prefix by coproduce.config.urls)."""

from django.urls import path, re_path

from .views import pages, secretary, workspace

app_name = "members"

urlpatterns = [
    path("organisations/<slug:slug>/", pages.organisation, name="organisation"),
    path("organisations/<slug:slug>/join/", pages.join, name="join"),
    path("organisations/<slug:slug>/join/check/", pages.join_check, name="join_check"),
    path("organisations/<slug:slug>/members/", pages.duplicate_register, name="duplicate_register"),
    path("my-memberships/", pages.mine, name="mine"),
    path("my-memberships/<int:membership_id>/", pages.membership, name="membership"),
    path("my-memberships/<int:membership_id>/email/", pages.email_use, name="email_use"),
    path("my-memberships/<int:membership_id>/buy/", pages.buy, name="buy"),
    path("my-memberships/<int:membership_id>/withdraw/", pages.withdraw, name="withdraw"),
    path("my-memberships/<int:membership_id>/resign/", pages.resign, name="resign"),
    path("organisations/<slug:slug>/manage/", workspace.workspace, name="workspace"),
    path("organisations/<slug:slug>/manage/rules/", workspace.rules, name="rules"),
    path("organisations/<slug:slug>/manage/classes/<int:class_id>/", workspace.class_edit, name="class_edit"),
    path("organisations/<slug:slug>/applications/", secretary.applications, name="applications"),
    path("organisations/<slug:slug>/applications/<int:membership_id>/", secretary.decide, name="decide"),
    path("organisations/<slug:slug>/register/", secretary.register, name="register"),
    path("organisations/<slug:slug>/register/<int:membership_id>/", secretary.register_entry, name="register_entry"),
    path(
        "organisations/<slug:slug>/register/<int:membership_id>/payment/",
        secretary.payment_record,
        name="payment_record",
    ),
    path("organisations/<slug:slug>/register/<int:membership_id>/cease/", secretary.cease, name="cease"),
    path(
        "organisations/<slug:slug>/register/<int:membership_id>/details/",
        workspace.member_details,
        name="member_details",
    ),
    path("organisations/<slug:slug>/officers/", secretary.officers, name="officers"),
    re_path(
        r"^organisations/(?P<slug>[-\w]+)/register\.(?P<fmt>csv|xlsx)$",
        secretary.register_export,
        name="register_export",
    ),
]
