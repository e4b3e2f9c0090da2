"""The core's pages (mounted inside the language prefix by coproduce.config.urls)."""

from django.urls import path

from .views import account, audit, info, pages, programme, verification, work

app_name = "core"

urlpatterns = [
    path("", pages.home, name="home"),
    path("organisations/", pages.directory, name="directory"),
    path("organisations/<slug:slug>/audit/", audit.audit_trail, name="audit_trail"),
    # Where people who run things work: every organisation they hold a role in.
    path("work/", work.work, name="work"),
    # The council's programme workspace, for its officers.
    path("councils/<slug:slug>/programme/", programme.programme, name="programme"),
    path("councils/<slug:slug>/programme/places/", programme.places, name="programme_places"),
    path("councils/<slug:slug>/programme/postcodes/", programme.postcodes, name="programme_postcodes"),
    path("councils/<slug:slug>/programme/census/", programme.census, name="programme_census"),
    path("councils/<slug:slug>/programme/roles/", programme.roles, name="programme_roles"),
    path("councils/<slug:slug>/programme/roles/<int:pk>/end/", programme.role_end, name="programme_role_end"),
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
