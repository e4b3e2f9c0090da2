"""The core's pages (mounted inside the language prefix by coproduce.config.urls)."""

from django.urls import path

from .views import account, audit, info, pages, verification

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("organisations/", pages.directory, name="directory"),
    path("organisations/<slug:slug>/audit/", audit.audit_trail, name="audit_trail"),
    # A person's own account.
    path("account/", account.account, name="account"),
    path("account/details/", account.account_details, name="account_details"),
    path("account/data/", account.account_data, name="account_data"),
    path("account/close/", account.account_close, name="account_close"),
    path("account/verify/declare/", account.verify_declare, name="verify_declare"),
    path("account/verify/letter/", account.verify_letter, name="verify_letter"),
    path("verify/code/", account.verify_code, name="verify_code"),
    # Council officers verifying residents.
    path("councils/<slug:slug>/verification/", verification.home, name="verification"),
    path("councils/<slug:slug>/verification/letters/", verification.letters, name="letters"),
    path("councils/<slug:slug>/verification/letters/<int:pk>/", verification.letter_batch, name="letter_batch"),
    path(
        "councils/<slug:slug>/verification/letters/<int:pk>/pdf/",
        verification.letter_batch_pdf,
        name="letter_batch_pdf",
    ),
    path("councils/<slug:slug>/verification/in-person/", verification.in_person, name="verify_in_person"),
    path(
        "councils/<slug:slug>/verification/in-person/<int:pk>/",
        verification.in_person_record,
        name="verify_in_person_record",
    ),
    path("councils/<slug:slug>/verification/lists/", verification.lists, name="resident_lists"),
    path(
        "councils/<slug:slug>/verification/lists/<int:pk>/delete/",
        verification.list_delete,
        name="resident_list_delete",
    ),
    # Pages every public service has.
    path("privacy/", info.privacy, name="privacy"),
    path("accessibility/", info.accessibility, name="accessibility"),
    path("cookies/", info.cookies, name="cookies"),
    path("feedback/", info.feedback, name="feedback"),
    path("feedback/received/", info.feedback_list, name="feedback_list"),
]
