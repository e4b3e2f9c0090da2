"""The authorisation matrix: every role against every page, export, admin page and API endpoint.

One table says, for each target, which roles may use it; every other role must be refused —
a signed-in person with 403 or 404, an anonymous one sent to sign in (pages) or answered 401
(the API). Everyone who needs two-factor authentication has passed it in their session here, so
what is tested is the permission itself; ``test_security`` tests the second factor.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from coproduce.core.models import OrganisationKind, PlaceKind, RoleKind
from coproduce.core.models.verification import LetterBatch, LetterBatchStatus, ResidentList
from coproduce.core.tests.factories import OrganisationFactory, PlaceFactory, RoleFactory, UserFactory, sign_in_with_mfa
from coproduce.members.tests.factories import MembershipFactory, StakeholderClassFactory

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "resident",
    "member",
    "secretary",
    "board_member",
    "other_secretary",
    "officer",
    "staff",
    "superuser",
    "equalities",  # the council's equalities officer: equality monitoring in aggregate, nothing else
)
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"staff", "superuser"})  # is_staff opens the admin's (empty) index, nothing more
OFFICERS = frozenset({"officer", "superuser"})  # a council's officers verify its residents
RUN_MEETINGS = frozenset({"secretary", "board_member", "superuser"})  # an organisation's secretary and board
CHANGE_RULES = frozenset({"secretary", "superuser"})  # its rules about meetings: the secretary


@dataclass(frozen=True)
class Target:
    name: str
    url: str  # formatted with the world's keys: {org}, {hidden}, {membership}, {application}, {org_id} …
    allowed: frozenset[str]
    api: bool = False
    post: bool = False  # a form that only takes POST: sent empty, it must be refused or answered, never crash
    # Roles sent on elsewhere with a 302 that is not a refusal (a member opening the join form
    # goes to their own entry; the check page without answers goes back to the form).
    sent_elsewhere: frozenset[str] = frozenset()


# The table. Pages and exports first, then the admin, then the API.
TARGETS = [
    Target("home", "/", EVERYONE),
    Target("home in Welsh", "/cy/", EVERYONE),
    Target("directory", "/organisations/", EVERYONE),
    Target("organisation page", "/organisations/{org}/", EVERYONE),
    Target("hidden organisation page", "/organisations/{hidden}/", frozenset()),
    Target("join form", "/organisations/{org}/join/", SIGNED_IN - {"member"}, sent_elsewhere=frozenset({"member"})),
    Target("check your application", "/organisations/{org}/join/check/", frozenset(), sent_elsewhere=SIGNED_IN),
    Target("workspace", "/organisations/{org}/manage/", frozenset({"secretary", "board_member", "superuser"})),
    Target("hidden workspace", "/organisations/{hidden}/manage/", frozenset({"superuser"})),
    Target("rules and settings", "/organisations/{org}/manage/rules/", frozenset({"secretary", "superuser"})),
    Target(
        "a class of membership",
        "/organisations/{org}/manage/classes/{member_class}/",
        frozenset({"secretary", "superuser"}),
    ),
    Target("my memberships", "/my-memberships/", SIGNED_IN),
    Target("withdraw my shares", "/my-memberships/{membership}/withdraw/", frozenset({"member"})),
    Target("my membership", "/my-memberships/{membership}/", frozenset({"member"})),
    Target("buy shares", "/my-memberships/{membership}/buy/", frozenset({"member"})),
    Target("resign", "/my-memberships/{membership}/resign/", frozenset({"member"})),
    Target("email use", "/my-memberships/{membership}/email/", frozenset({"member"}), post=True),
    Target("duplicate register", "/organisations/{org}/members/", frozenset({"member", "secretary", "superuser"})),
    Target("hidden duplicate register", "/organisations/{hidden}/members/", frozenset({"superuser"})),
    # A person's own account, and the pages every public service has.
    Target("account", "/account/", SIGNED_IN),
    Target("account details", "/account/details/", SIGNED_IN),
    Target("account data", "/account/data/", SIGNED_IN),
    Target("close account", "/account/close/", SIGNED_IN),
    Target("declare address", "/account/verify/declare/", SIGNED_IN, post=True),
    Target("ask for a letter", "/account/verify/letter/", SIGNED_IN, post=True),
    Target("enter letter code", "/verify/code/", SIGNED_IN),
    Target("privacy", "/privacy/", EVERYONE),
    Target("accessibility", "/accessibility/", EVERYONE),
    Target("cookies", "/cookies/", EVERYONE),
    Target("feedback", "/feedback/", EVERYONE),
    Target("feedback received", "/feedback/received/", OFFICERS),
    # Council officers verifying residents.
    Target("verification", "/councils/{council}/verification/", OFFICERS),
    Target("letters", "/councils/{council}/verification/letters/", OFFICERS),
    Target("letter batch", "/councils/{council}/verification/letters/{batch}/", OFFICERS),
    Target("letter batch PDF", "/councils/{council}/verification/letters/{batch}/pdf/", OFFICERS),
    Target("in person", "/councils/{council}/verification/in-person/", OFFICERS),
    Target("in person record", "/councils/{council}/verification/in-person/{resident_id}/", OFFICERS),
    Target("resident lists", "/councils/{council}/verification/lists/", OFFICERS),
    Target(
        "delete a list",
        "/councils/{council}/verification/lists/{resident_list}/delete/",
        OFFICERS,
        post=True,
    ),
    Target("another council's verification", "/councils/{other}/verification/", frozenset()),
    # Where people work: the hub for everyone signed in (empty without a role); the council's
    # programme workspace for its officers.
    Target("your work", "/work/", SIGNED_IN),
    Target("programme", "/councils/{council}/programme/", OFFICERS),
    Target("places and postcodes", "/councils/{council}/programme/places/", OFFICERS),
    Target("import postcodes", "/councils/{council}/programme/postcodes/", OFFICERS),
    Target("census figures", "/councils/{council}/programme/census/", OFFICERS),
    Target("roles", "/councils/{council}/programme/roles/", OFFICERS),
    Target("end a role", "/councils/{council}/programme/roles/{council_role}/end/", OFFICERS),
    Target("end a role elsewhere", "/councils/{council}/programme/roles/{other_role}/end/", frozenset(), post=True),
    Target("another council's programme", "/councils/{other}/programme/", frozenset()),
    Target("applications", "/organisations/{org}/applications/", frozenset({"secretary", "superuser"})),
    Target("decide", "/organisations/{org}/applications/{application}/", frozenset({"secretary", "superuser"})),
    Target("register", "/organisations/{org}/register/", frozenset({"secretary", "superuser"})),
    Target("register CSV", "/organisations/{org}/register.csv", frozenset({"secretary", "superuser"})),
    Target("register XLSX", "/organisations/{org}/register.xlsx", frozenset({"secretary", "superuser"})),
    Target("register entry", "/organisations/{org}/register/{membership}/", frozenset({"secretary", "superuser"})),
    Target(
        "record a payment",
        "/organisations/{org}/register/{membership}/payment/",
        frozenset({"secretary", "superuser"}),
    ),
    Target(
        "cease a membership", "/organisations/{org}/register/{membership}/cease/", frozenset({"secretary", "superuser"})
    ),
    Target(
        "correct a member's details",
        "/organisations/{org}/register/{membership}/details/",
        frozenset({"secretary", "superuser"}),
    ),
    Target("register of officers", "/organisations/{org}/officers/", frozenset({"secretary", "superuser"})),
    Target("hidden register", "/organisations/{hidden}/register/", frozenset({"superuser"})),
    Target("audit trail", "/organisations/{org}/audit/", frozenset({"secretary", "superuser"})),
    Target("hidden audit trail", "/organisations/{hidden}/audit/", frozenset({"superuser"})),
    # Elections (issue 17): the public and members' pages, then the returning officer's and
    # the secretary's. Keys: {election} (voting open; the member votes, the officer is its
    # returning officer), {constituency} (its ballot), {declared} and {declared_constituency}
    # (a counted election), {draft} (a draft), {nomination} (the member's own, in {nominating}),
    # {paper_batch} (papers the officer entered in {election}).
    # -- elections: public and members' pages --
    # Anyone reads a published election, its dates, result and receipt codes; a draft only those
    # who prepare it (its returning officer, the organisation's secretary). Nominating needs a vote
    # in a constituency; the ballot, its check page and the receipt only the elector themself.
    Target("elections", "/elections/", EVERYONE),
    Target("an election", "/elections/{election}/", EVERYONE),
    Target("an election in Welsh", "/cy/elections/{election}/", EVERYONE),
    Target("a declared election", "/elections/{declared}/", EVERYONE),
    Target("a draft election", "/elections/{draft}/", frozenset({"officer", "secretary", "superuser"})),
    Target("election dates", "/elections/{election}/dates.ics", EVERYONE),
    Target("a draft's dates", "/elections/{draft}/dates.ics", frozenset({"officer", "secretary", "superuser"})),
    Target("nominate", "/elections/{nominating}/nominate/", frozenset({"member"})),
    # Nominations have closed: everyone signed in is sent back to the election with a message.
    Target("nominate after the close", "/elections/{election}/nominate/", frozenset(), sent_elsewhere=SIGNED_IN),
    Target("a nomination", "/elections/nominations/{nomination}/", frozenset({"member"})),
    Target(
        "confirm or withdraw a nomination", "/elections/nominations/{nomination}/", frozenset({"member"}), post=True
    ),
    Target("a nomination's photo (none given)", "/elections/nominations/{nomination}/photo", frozenset()),
    Target("the ballot", "/elections/{election}/vote/{constituency}/", frozenset({"member"})),
    # Without choices yet the check page goes back to the ballot; without a vote, the receipt too.
    Target(
        "check the ballot",
        "/elections/{election}/vote/{constituency}/check/",
        frozenset(),
        sent_elsewhere=frozenset({"member"}),
    ),
    Target(
        "the voter's receipt",
        "/elections/{election}/vote/{constituency}/receipt/",
        frozenset(),
        sent_elsewhere=frozenset({"member"}),
    ),
    Target("a closed ballot", "/elections/{declared}/vote/{declared_constituency}/", frozenset({"member"})),
    Target("the result", "/elections/{declared}/result/", EVERYONE),
    Target("no result before the count", "/elections/{election}/result/", frozenset()),
    Target("the result sheet PDF", "/elections/{declared}/result.pdf", EVERYONE),
    Target(
        "published receipt codes",
        "/elections/{declared}/constituencies/{declared_constituency}/receipts/",
        EVERYONE,
    ),
    Target(
        "published receipt codes as text",
        "/elections/{declared}/constituencies/{declared_constituency}/receipts.txt",
        EVERYONE,
    ),
    Target(
        "receipt codes before the count",
        "/elections/{election}/constituencies/{constituency}/receipts.txt",
        frozenset(),
    ),
    # -- elections: returning officer and secretary --
    # The secretary sets elections up (drafts included); the returning officer ("officer", of every
    # election here) runs them; either handles paper ballots. Buttons are posted empty: refused by
    # the service (shown on the page) or done, never a 500.
    Target("an organisation's elections", "/organisations/{org}/elections/", frozenset({"secretary", "superuser"})),
    Target("a hidden organisation's elections", "/organisations/{hidden}/elections/", frozenset({"superuser"})),
    Target("create an election", "/organisations/{org}/elections/new/", frozenset({"secretary", "superuser"})),
    Target("run an election", "/elections/{election}/manage/", frozenset({"officer", "secretary", "superuser"})),
    Target("run a draft election", "/elections/{draft}/manage/", frozenset({"officer", "secretary", "superuser"})),
    Target(
        "run a declared election", "/elections/{declared}/manage/", frozenset({"officer", "secretary", "superuser"})
    ),
    Target("change a draft election", "/elections/{draft}/edit/", frozenset({"secretary", "superuser"})),
    Target("add elected seats", "/elections/{draft}/constituencies/new/", frozenset({"secretary", "superuser"})),
    Target(
        "remove elected seats",
        "/elections/{draft}/constituencies/remove/",
        frozenset({"secretary", "superuser"}),
        post=True,
    ),
    Target("add appointed seats", "/elections/{draft}/appointed-seats/new/", frozenset({"secretary", "superuser"})),
    Target(
        "remove appointed seats",
        "/elections/{draft}/appointed-seats/remove/",
        frozenset({"secretary", "superuser"}),
        post=True,
    ),
    Target("publish an election", "/elections/{draft}/publish/", frozenset({"secretary", "superuser"}), post=True),
    Target("publish the seed", "/elections/{election}/seed/", frozenset({"officer", "superuser"})),
    Target("decide a nomination", "/elections/nominations/{nomination}/decide/", frozenset({"officer", "superuser"})),
    Target("open voting", "/elections/{nominating}/open/", frozenset({"officer", "superuser"}), post=True),
    Target("send a reminder", "/elections/{election}/remind/", frozenset({"officer", "superuser"}), post=True),
    Target("close voting", "/elections/{election}/close/", frozenset({"officer", "superuser"}), post=True),
    Target("start the count", "/elections/{election}/count/", frozenset({"officer", "superuser"}), post=True),
    Target("paper ballots", "/elections/{election}/paper/", frozenset({"officer", "secretary", "superuser"})),
    Target(
        "a batch of paper ballots",
        "/elections/{election}/paper/batches/{paper_batch}/",
        frozenset({"officer", "secretary", "superuser"}),
    ),
    Target(
        "check a batch of paper ballots",
        "/elections/{election}/paper/batches/{paper_batch}/check/",
        frozenset({"officer", "secretary", "superuser"}),
    ),
    Target(
        "a batch of another election",
        "/elections/{declared}/paper/batches/{paper_batch}/",
        frozenset(),
    ),
    Target(
        "record a vote cast for someone",
        "/elections/{election}/cast-for/",
        frozenset({"officer", "secretary", "superuser"}),
    ),
    # -- meetings: members' pages --
    # A general meeting is its organisation's members', secretary's and board's (everyone's where the
    # rules make the record public); a board meeting the board's; a draft only those who run meetings.
    # Appointing a proxy, voting and checking in are for a member with a vote (the others who may see
    # the meeting are told why not, 403); requisitions for the organisation's members and those who
    # run its meetings. Keys: {meeting_agm} (called, an advance resolution {meeting_resolution}, a
    # paper {meeting_paper}; {check_in_token} is the member's code), {meeting_held} (closed, minutes
    # published), {requisition} (the member's), and the API's {meeting_api_*} meetings.
    Target("meetings", "/meetings/", EVERYONE),
    Target("meetings in Welsh", "/cy/meetings/", EVERYONE),
    Target("a meeting", "/meetings/{meeting_agm}/", frozenset({"member", "secretary", "board_member", "superuser"})),
    Target(
        "a meeting in Welsh",
        "/cy/meetings/{meeting_agm}/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target("a meeting whose record is public", "/meetings/{meeting_api_public}/", EVERYONE),
    Target("a board meeting", "/meetings/{meeting_api_board}/", frozenset({"secretary", "board_member", "superuser"})),
    Target("a draft meeting", "/meetings/{meeting_api_draft}/", frozenset({"secretary", "board_member", "superuser"})),
    Target(
        "a meeting's calendar file",
        "/meetings/{meeting_agm}.ics",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target("a public meeting's calendar file", "/meetings/{meeting_api_public}.ics", EVERYONE),
    Target(
        "an agenda paper",
        "/meetings/papers/{meeting_paper}",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target("appoint a proxy", "/meetings/{meeting_agm}/proxy/", frozenset({"member"})),
    Target("appoint a proxy (sent empty)", "/meetings/{meeting_agm}/proxy/", frozenset({"member"}), post=True),
    Target("a proxy at a board meeting", "/meetings/{meeting_api_board}/proxy/", frozenset()),
    Target(
        "vote on a resolution",
        "/meetings/{meeting_agm}/resolutions/{meeting_resolution}/vote/",
        frozenset({"member"}),
    ),
    Target(
        "vote on a resolution (sent empty)",
        "/meetings/{meeting_agm}/resolutions/{meeting_resolution}/vote/",
        frozenset({"member"}),
        post=True,
    ),
    Target(
        "a resolution of another meeting",
        "/meetings/{meeting_api_public}/resolutions/{meeting_resolution}/vote/",
        frozenset(),
    ),
    Target(
        "check in with the notice's code", "/meetings/{meeting_agm}/check-in/{check_in_token}/", frozenset({"member"})
    ),
    Target(
        "published minutes",
        "/meetings/{meeting_held}/minutes/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target("no minutes before they are published", "/meetings/{meeting_agm}/minutes/", frozenset()),
    Target(
        "requisitions",
        "/organisations/{org}/requisitions/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target(
        "open a requisition (sent empty)",
        "/organisations/{org}/requisitions/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
        post=True,
    ),
    Target("a hidden organisation's requisitions", "/organisations/{hidden}/requisitions/", frozenset({"superuser"})),
    Target(
        "a requisition",
        "/requisitions/{requisition}/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
    ),
    Target(
        "sign a requisition",
        "/requisitions/{requisition}/",
        frozenset({"member", "secretary", "board_member", "superuser"}),
        post=True,
    ),
    # -- meetings: the secretary's and the chair's pages --
    # The secretary and the board run the organisation's meetings (two-factor sign-in: they hold
    # roles); only the secretary records the rules. Keys: {meeting_draft}, {meeting_called} (its
    # notices to post made), {meeting_running} with {meeting_running_resolution}, {meeting_closed}
    # with a special resolution carried, {meeting_special}.
    Target("meetings to run", "/organisations/{org}/meetings/", RUN_MEETINGS),
    Target("a hidden organisation's meetings to run", "/organisations/{hidden}/meetings/", frozenset({"superuser"})),
    Target("meeting rules", "/organisations/{org}/meeting-rules/", RUN_MEETINGS),
    Target("record meeting rules (sent empty)", "/organisations/{org}/meeting-rules/", CHANGE_RULES, post=True),
    Target("call a meeting", "/organisations/{org}/meetings/new/", RUN_MEETINGS),
    Target("call a meeting (sent empty)", "/organisations/{org}/meetings/new/", RUN_MEETINGS, post=True),
    Target("change a draft meeting", "/meetings/{meeting_draft}/edit/", RUN_MEETINGS),
    Target("run a draft meeting", "/meetings/{meeting_draft}/manage/", RUN_MEETINGS),
    Target("run a draft meeting (sent empty)", "/meetings/{meeting_draft}/manage/", RUN_MEETINGS, post=True),
    Target("run a meeting in progress", "/meetings/{meeting_running}/manage/", RUN_MEETINGS),
    Target("send a meeting's notice", "/meetings/{meeting_draft}/notice/", RUN_MEETINGS),
    Target("send a meeting's notice (sent empty)", "/meetings/{meeting_draft}/notice/", RUN_MEETINGS, post=True),
    Target("a meeting's notices to post", "/meetings/{meeting_called}/notice/letters.pdf", RUN_MEETINGS),
    Target("a meeting's proxy list", "/meetings/{meeting_called}/proxies/", RUN_MEETINGS),
    Target("a meeting's register", "/meetings/{meeting_called}/register/", RUN_MEETINGS),
    Target("check in at the door (sent empty)", "/meetings/{meeting_called}/register/", RUN_MEETINGS, post=True),
    Target("start a meeting's business", "/meetings/{meeting_called}/start/", RUN_MEETINGS, post=True),
    Target(
        "the chair's screen",
        "/meetings/{meeting_running}/resolutions/{meeting_running_resolution}/run/",
        RUN_MEETINGS,
    ),
    Target(
        "the chair's screen (sent empty)",
        "/meetings/{meeting_running}/resolutions/{meeting_running_resolution}/run/",
        RUN_MEETINGS,
        post=True,
    ),
    Target(
        "a resolution of another meeting on the chair's screen",
        "/meetings/{meeting_called}/resolutions/{meeting_running_resolution}/run/",
        frozenset(),
    ),
    Target("close a meeting", "/meetings/{meeting_running}/close/", RUN_MEETINGS, post=True),
    Target("a meeting's minutes to edit", "/meetings/{meeting_closed}/minutes/edit/", RUN_MEETINGS),
    Target(
        "a special resolution's copy",
        "/meetings/{meeting_closed}/resolutions/{meeting_special}/copy.pdf",
        RUN_MEETINGS,
    ),
    # The admin is for superusers alone: officers work in the programme workspace, and a staff
    # account without superuser status sees Django's empty index and nothing else.
    Target("admin index", "/admin/", STAFF),
    Target("admin people", "/admin/core/user/", frozenset({"superuser"})),
    Target("admin a person", "/admin/core/user/{resident_id}/change/", frozenset({"superuser"})),
    Target("admin groups", "/admin/auth/group/", frozenset({"superuser"})),
    Target("admin organisations", "/admin/core/organisation/", frozenset({"superuser"})),
    Target("admin an organisation", "/admin/core/organisation/{org_id}/change/", frozenset({"superuser"})),
    Target("admin audit events", "/admin/core/auditevent/", frozenset({"superuser"})),
    Target("admin memberships", "/admin/members/membership/", frozenset({"superuser"})),
    Target("admin a membership", "/admin/members/membership/{membership}/change/", frozenset({"superuser"})),
    # The JSON API.
    Target("API directory", "/api/organisations", EVERYONE, api=True),
    Target("API organisation", "/api/organisations/{org}", EVERYONE, api=True),
    Target("API hidden organisation", "/api/organisations/{hidden}", frozenset(), api=True),
    Target("API my memberships", "/api/members/me/memberships", SIGNED_IN, api=True),
    Target(
        "API register", "/api/members/organisations/{org}/register", frozenset({"secretary", "superuser"}), api=True
    ),
    Target("API hidden register", "/api/members/organisations/{hidden}/register", frozenset({"superuser"}), api=True),
    # Elections: public to everyone once published; results, ballots and receipts once declared.
    Target("API elections", "/api/elections/", EVERYONE, api=True),
    Target("API election", "/api/elections/{election}", EVERYONE, api=True),
    Target("API draft election", "/api/elections/{draft}", frozenset(), api=True),
    Target("API result", "/api/elections/{declared}/result", EVERYONE, api=True),
    Target("API result before the count", "/api/elections/{election}/result", frozenset(), api=True),
    Target(
        "API ballots",
        "/api/elections/{declared}/constituencies/{declared_constituency}/ballots.blt",
        EVERYONE,
        api=True,
    ),
    Target(
        "API ballots while voting",
        "/api/elections/{election}/constituencies/{constituency}/ballots.blt",
        frozenset(),
        api=True,
    ),
    Target(
        "API receipts",
        "/api/elections/{declared}/constituencies/{declared_constituency}/receipts",
        EVERYONE,
        api=True,
    ),
    Target(
        "API receipts while voting",
        "/api/elections/{election}/constituencies/{constituency}/receipts",
        frozenset(),
        api=True,
    ),
    # Budgets: public to everyone once published; the result and its ballots once declared.
    Target("ward budgets", "/budgets/", EVERYONE),
    Target("ward budgets in Welsh", "/cy/budgets/", EVERYONE),
    Target("a budget round", "/budgets/{budget_voting}/", EVERYONE),
    Target("a budget round in Welsh", "/cy/budgets/{budget_ideas}/", EVERYONE),
    Target("a draft budget round", "/budgets/{budget_draft}/", OFFICERS),
    Target("a budget round's dates", "/budgets/{budget_declared}/dates.ics", EVERYONE),
    Target("a draft budget round's dates", "/budgets/{budget_draft}/dates.ics", OFFICERS),
    Target("a budget round's ideas", "/budgets/{budget_ideas}/ideas/", EVERYONE),
    Target("a draft budget round's ideas", "/budgets/{budget_draft}/ideas/", OFFICERS),
    Target("an idea", "/budgets/{budget_ideas}/ideas/{budget_idea}/", EVERYONE),
    Target(
        "an idea waiting for moderation",
        "/budgets/{budget_ideas}/ideas/{budget_idea_waiting}/",
        frozenset({"resident", "officer", "superuser"}),
    ),
    Target("an idea of another round", "/budgets/{budget_voting}/ideas/{budget_idea}/", frozenset()),
    Target("a photo of an idea", "/budgets/ideas/photos/{budget_idea_photo}", EVERYONE),
    Target(
        "a photo of an idea waiting for moderation",
        "/budgets/ideas/photos/{budget_idea_waiting_photo}",
        frozenset({"resident", "officer", "superuser"}),
    ),
    Target("send an idea", "/budgets/{budget_ideas}/ideas/new/", SIGNED_IN),
    # Its officers are sent back to the round (a draft takes no ideas); anyone else: not found.
    Target(
        "send an idea to a draft budget round",
        "/budgets/{budget_draft}/ideas/new/",
        frozenset(),
        sent_elsewhere=OFFICERS,
    ),
    Target("support an idea", "/budgets/{budget_ideas}/ideas/{budget_idea}/support/", SIGNED_IN, post=True),
    # The ballot: no role here is on the voting round's electorate (fixed when voting opened), so
    # each is refused with the reason; the check page and receipt likewise.
    Target("a budget ballot", "/budgets/{budget_voting}/vote/", frozenset()),
    Target("check a budget ballot", "/budgets/{budget_voting}/vote/check/", frozenset()),
    Target("a budget vote's receipt", "/budgets/{budget_voting}/vote/receipt/", frozenset()),
    Target("a budget result", "/budgets/{budget_declared}/result/", EVERYONE),
    Target("a budget result in Welsh", "/cy/budgets/{budget_declared}/result/", EVERYONE),
    Target("no budget result while voting", "/budgets/{budget_voting}/result/", frozenset()),
    Target("no result of a draft budget round", "/budgets/{budget_draft}/result/", frozenset()),
    Target("a funded project", "/budgets/{budget_declared}/projects/{budget_project}/", EVERYONE),
    Target("a project of another round", "/budgets/{budget_voting}/projects/{budget_project}/", frozenset()),
    Target("follow a project", "/budgets/{budget_declared}/projects/{budget_project}/follow/", SIGNED_IN, post=True),
    Target("a photo of a delivery update", "/budgets/updates/photos/{budget_update_photo}", EVERYONE),
    # Youth polls: published ones for everyone (voting needs a young person of the place: the others
    # are told why, so an empty vote is answered, not refused); drafts and the running of a poll for
    # the council's officers.
    Target("youth polls", "/budgets/polls/", EVERYONE),
    Target("a youth poll", "/budgets/polls/{poll_open}/", EVERYONE),
    Target("a youth poll in Welsh", "/cy/budgets/polls/{poll_open}/", EVERYONE),
    Target("vote in a youth poll", "/budgets/polls/{poll_open}/", SIGNED_IN, post=True),
    Target("a draft youth poll", "/budgets/polls/{poll_draft}/", OFFICERS),
    Target("a youth poll's result", "/budgets/polls/{poll_declared}/result/", EVERYONE),
    Target("no youth poll result before the count", "/budgets/polls/{poll_open}/result/", frozenset()),
    Target("a youth poll's picture", "/budgets/polls/options/{poll_option}/picture", EVERYONE),
    Target("a draft youth poll's picture", "/budgets/polls/options/{poll_draft_option}/picture", OFFICERS),
    Target("create a youth poll", "/organisations/{council}/polls/new/", OFFICERS),
    Target("run a youth poll", "/budgets/polls/{poll_open}/manage/", OFFICERS),
    Target("run a draft youth poll", "/budgets/polls/{poll_draft}/manage/", OFFICERS),
    Target("close a youth poll", "/budgets/polls/{poll_open}/manage/", OFFICERS, post=True),
    # The fund holder's officers run its budget rounds (a co-op's secretary its community fund's);
    # the officers' pages are the same for every stage, so each is tried on the stage it is for.
    Target("budget rounds to run", "/organisations/{council}/budgets/", OFFICERS),
    Target("a co-op's budget rounds to run", "/organisations/{org}/budgets/", frozenset({"secretary", "superuser"})),
    Target("create a budget round", "/organisations/{council}/budgets/new/", OFFICERS),
    Target("change a draft budget round", "/budgets/{budget_draft}/edit/", OFFICERS),
    Target("publish a budget round", "/budgets/{budget_draft}/publish/", OFFICERS, post=True),
    Target("publish a budget round's seed", "/budgets/{budget_voting}/seed/", OFFICERS),
    Target("run a budget round", "/budgets/{budget_voting}/manage/", OFFICERS),
    Target("run a draft budget round", "/budgets/{budget_draft}/manage/", OFFICERS),
    Target("run a declared budget round", "/budgets/{budget_declared}/manage/", OFFICERS),
    Target("moderate ideas", "/budgets/{budget_ideas}/moderate/", OFFICERS),
    Target("merge ideas", "/budgets/{budget_ideas}/merge/", OFFICERS),
    Target("review ideas", "/budgets/{budget_ideas}/review/", OFFICERS),
    Target("cost a project", "/budgets/{budget_ideas}/projects/new/", OFFICERS),
    Target("mark ideas not feasible", "/budgets/{budget_ideas}/not-feasible/", OFFICERS),
    Target("open a budget vote", "/budgets/{budget_ideas}/open/", OFFICERS, post=True),
    Target("close a budget vote", "/budgets/{budget_voting}/close/", OFFICERS, post=True),
    Target("count a budget vote", "/budgets/{budget_voting}/count/", OFFICERS, post=True),
    Target("budget paper ballots", "/budgets/{budget_voting}/paper/", OFFICERS),
    Target(
        "a batch of budget paper ballots",
        "/budgets/{budget_voting}/paper/batches/{budget_paper_batch}/",
        OFFICERS,
    ),
    Target(
        "check a batch of budget paper ballots",
        "/budgets/{budget_voting}/paper/batches/{budget_paper_batch}/check/",
        OFFICERS,
    ),
    Target(
        "a batch of another budget round",
        "/budgets/{budget_declared}/paper/batches/{budget_paper_batch}/",
        frozenset(),
    ),
    Target("depart from the count", "/budgets/{budget_declared}/departures/new/", OFFICERS),
    Target(
        "a funded project's delivery",
        "/budgets/{budget_declared}/projects/{budget_project}/delivery/",
        OFFICERS,
    ),
    Target(
        "the delivery of another round's project",
        "/budgets/{budget_voting}/projects/{budget_project}/delivery/",
        frozenset(),
    ),
    # Consultations: residents answer and read; the council's officers run them; only its
    # equalities officer sees equality monitoring, in aggregate.
    Target("consultations", "/consultations/", EVERYONE),
    Target("consultations in Welsh", "/cy/consultations/", EVERYONE),
    Target("a consultation", "/consultations/{cons_open}/", EVERYONE),
    Target("a consultation in Welsh", "/cy/consultations/{cons_open}/", EVERYONE),
    Target("a draft consultation", "/consultations/{cons_draft}/", OFFICERS),
    Target("a consultation's document", "/consultations/{cons_open}/documents/{cons_document}/", EVERYONE),
    Target("another consultation's document", "/consultations/{cons_closed}/documents/{cons_document}/", frozenset()),
    Target("a consultation's events calendar", "/consultations/{cons_open}/events.ics", EVERYONE),
    Target("a consultation's results", "/consultations/{cons_closed}/results/", EVERYONE),
    Target("no results while open", "/consultations/{cons_open}/results/", frozenset()),
    Target("published responses", "/consultations/{cons_closed}/responses/", EVERYONE),
    Target("you said, we did", "/consultations/{cons_closed}/you-said-we-did/", EVERYONE),
    Target("start answering", "/consultations/{cons_open}/respond/", EVERYONE),
    Target("start answering a draft", "/consultations/{cons_draft}/respond/", frozenset()),
    Target("a page of the survey", "/consultations/{cons_open}/respond/1/", frozenset(), sent_elsewhere=EVERYONE),
    Target("save and come back", "/consultations/{cons_open}/respond/save/", frozenset(), sent_elsewhere=EVERYONE),
    Target("finish answering", "/consultations/{cons_open}/respond/finish/", frozenset(), sent_elsewhere=EVERYONE),
    Target("answers sent", "/consultations/{cons_open}/respond/done/", frozenset(), sent_elsewhere=EVERYONE),
    Target(
        "come back to a response",
        "/consultations/{cons_open}/respond/resume/{cons_resume}/",
        frozenset(),
        sent_elsewhere=EVERYONE,
    ),
    Target("come back with a wrong link", "/consultations/{cons_open}/respond/resume/not-a-token/", frozenset()),
    Target("an event", "/consultations/{cons_open}/events/{cons_event}/", EVERYONE),
    Target("an event in iCal", "/consultations/{cons_open}/events/{cons_event}.ics", EVERYONE),
    Target("an event of another consultation", "/consultations/{cons_closed}/events/{cons_event}/", frozenset()),
    Target("a registration", "/consultations/registrations/{cons_registration}/", EVERYONE),
    Target("a registration with a wrong link", "/consultations/registrations/not-a-token/", frozenset()),
    Target("consultations to run", "/consultations/manage/{council}/", OFFICERS),
    Target("a co-op's consultations to run", "/consultations/manage/{org}/", frozenset({"secretary", "superuser"})),
    Target("create a consultation", "/consultations/manage/{council}/new/", OFFICERS),
    Target("run a consultation", "/consultations/{cons_open}/manage/", OFFICERS),
    Target(
        "run another organisation's consultation",
        "/consultations/{cons_other}/manage/",
        frozenset({"other_secretary", "superuser"}),
    ),
    Target("change a consultation", "/consultations/{cons_draft}/manage/edit/", OFFICERS),
    Target("a consultation's documents", "/consultations/{cons_open}/manage/documents/", OFFICERS),
    Target(
        "remove a document",
        "/consultations/{cons_open}/manage/documents/{cons_document}/remove/",
        OFFICERS,
        post=True,
    ),
    Target("a consultation's events", "/consultations/{cons_open}/manage/events/", OFFICERS),
    Target("run an event", "/consultations/{cons_open}/manage/events/{cons_event}/", OFFICERS),
    Target("paper responses", "/consultations/{cons_open}/manage/paper/", OFFICERS),
    Target(
        "enter a paper response",
        "/consultations/{cons_open}/manage/paper/{cons_paper}/1/",
        OFFICERS,
    ),
    Target("finish a paper response", "/consultations/{cons_open}/manage/paper/{cons_paper}/finish/", OFFICERS),
    Target("publish responses", "/consultations/{cons_closed}/manage/publishing/", OFFICERS),
    Target("the survey", "/consultations/{cons_open}/manage/survey/", OFFICERS),
    Target("a survey page", "/consultations/{cons_open}/manage/survey/pages/{cons_page}/", OFFICERS),
    Target("a survey question", "/consultations/{cons_open}/manage/survey/questions/{cons_question}/", OFFICERS),
    Target(
        "another consultation's question",
        "/consultations/{cons_closed}/manage/survey/questions/{cons_question}/",
        frozenset(),
    ),
    Target("preview the survey", "/consultations/{cons_open}/manage/survey/preview/1/", OFFICERS),
    # The equalities officer reads the results too, to filter them by group (officers cannot).
    Target("analysis", "/consultations/{cons_closed}/manage/results/", OFFICERS | {"equalities"}),
    Target("themes", "/consultations/{cons_closed}/manage/themes/", OFFICERS),
    Target("tag answers", "/consultations/{cons_closed}/manage/themes/answers/", OFFICERS),
    Target("responses as CSV", "/consultations/{cons_closed}/manage/responses.csv", OFFICERS),
    Target("responses as XLSX", "/consultations/{cons_closed}/manage/responses.xlsx", OFFICERS),
    Target(
        "equality monitoring", "/consultations/{cons_closed}/manage/equality/", frozenset({"equalities", "superuser"})
    ),
    Target("write you said, we did", "/consultations/{cons_closed}/manage/you-said-we-did/", OFFICERS),
    # Resident panels: anyone reads a panel and its published selection; a letter's code lets its
    # household register; the council's officers run it.
    Target("resident panels", "/panels/", EVERYONE),
    Target("resident panels in Welsh", "/cy/panels/", EVERYONE),
    Target("a resident panel", "/panels/{panel_open}/", EVERYONE),
    Target("a draft resident panel", "/panels/{panel_draft}/", OFFICERS),
    Target("a panel's selection", "/panels/{panel_published}/selection/", EVERYONE),
    Target("a panel's selection in Welsh", "/cy/panels/{panel_published}/selection/", EVERYONE),
    Target("no selection before it is published", "/panels/{panel_open}/selection/", frozenset()),
    Target("register with a letter's code", "/panels/register/", EVERYONE),
    Target("register for a panel", "/panels/register/{panel_code}/", EVERYONE),
    Target("registered, without a registration", "/panels/register/{panel_code}/done/", frozenset()),
    Target("register with a wrong code", "/panels/register/NOTACODE1/", frozenset()),
    Target("a place on a panel", "/panels/places/{panel_token}/", EVERYONE),
    Target("a place with a wrong link", "/panels/places/not-a-token/", frozenset()),
    Target("panels to run", "/panels/manage/{council}/", OFFICERS),
    Target("create a panel", "/panels/manage/{council}/new/", OFFICERS),
    Target("run a panel", "/panels/{panel_open}/manage/", OFFICERS),
    Target(
        "run another organisation's panel", "/panels/{panel_other}/manage/", frozenset({"other_secretary", "superuser"})
    ),
    Target("change a panel", "/panels/{panel_draft}/manage/edit/", OFFICERS),
    Target("a panel's addresses", "/panels/{panel_draft}/manage/addresses/", OFFICERS),
    Target("a panel's letters", "/panels/{panel_open}/manage/letters/", OFFICERS),
    Target("a panel's letters as PDF", "/panels/{panel_open}/manage/letters.pdf", OFFICERS),
    Target("a panel's letters as CSV", "/panels/{panel_open}/manage/letters.csv", OFFICERS),
    Target("a panel's targets", "/panels/{panel_open}/manage/targets/", OFFICERS),
    Target("a panel's registrations", "/panels/{panel_open}/manage/registrants/", OFFICERS),
    Target("register by phone", "/panels/{panel_open}/manage/registrants/phone/", OFFICERS),
    Target("a panel's selection to run", "/panels/{panel_published}/manage/selection/", OFFICERS),
    Target("a panel's members", "/panels/{panel_published}/manage/members/", OFFICERS),
    Target("letters to those not selected", "/panels/{panel_published}/manage/not-selected.pdf", OFFICERS),
    Target("a panel's sessions", "/panels/{panel_published}/manage/sessions/", OFFICERS),
    Target("a session's attendance", "/panels/{panel_published}/manage/sessions/{panel_session}/", OFFICERS),
    Target("another panel's session", "/panels/{panel_open}/manage/sessions/{panel_session}/", frozenset()),
    Target("a panel's payments", "/panels/{panel_published}/manage/payments/", OFFICERS),
    Target("API budget rounds", "/api/budgets/", EVERYONE, api=True),
    Target("API budget result", "/api/budgets/{budget_declared}/result", EVERYONE, api=True),
    Target("API budget result while voting", "/api/budgets/{budget_voting}/result", frozenset(), api=True),
    Target("API draft budget result", "/api/budgets/{budget_draft}/result", frozenset(), api=True),
    Target("API budget ballots", "/api/budgets/{budget_declared}/ballots.pb", EVERYONE, api=True),
    Target("API budget ballots while voting", "/api/budgets/{budget_voting}/ballots.pb", frozenset(), api=True),
    Target("API draft budget ballots", "/api/budgets/{budget_draft}/ballots.pb", frozenset(), api=True),
    # Meetings' open record: a general meeting's for its organisation's members, secretary and board,
    # everyone's where the rules make the record public; a board meeting's for the board; drafts nobody's.
    Target("API meetings", "/api/meetings/", EVERYONE, api=True),
    Target(
        "API a meeting's record",
        "/api/meetings/{meeting_api_agm}",
        frozenset({"member", "secretary", "board_member", "superuser"}),
        api=True,
    ),
    Target("API a public meeting record", "/api/meetings/{meeting_api_public}", EVERYONE, api=True),
    Target(
        "API a board meeting's record",
        "/api/meetings/{meeting_api_board}",
        frozenset({"secretary", "board_member", "superuser"}),
        api=True,
    ),
    Target("API a draft meeting's record", "/api/meetings/{meeting_api_draft}", frozenset(), api=True),
    Target("API consultations", "/api/consultations/", EVERYONE, api=True),
    Target("API consultation results", "/api/consultations/{cons_closed}/results", EVERYONE, api=True),
    Target("API no results while open", "/api/consultations/{cons_open}/results", frozenset(), api=True),
    Target("API draft consultation results", "/api/consultations/{cons_draft}/results", frozenset(), api=True),
    Target("API panels", "/api/panels/", EVERYONE, api=True),
    Target("API a panel's selection", "/api/panels/{panel_published}/selection", EVERYONE, api=True),
    Target("API a panel's targets", "/api/panels/{panel_published}/targets.csv", EVERYONE, api=True),
    Target("API a panel's pool", "/api/panels/{panel_published}/pool.csv", EVERYONE, api=True),
    Target("API no selection before it is published", "/api/panels/{panel_open}/selection", frozenset(), api=True),
    Target("API no pool before it is published", "/api/panels/{panel_open}/pool.csv", frozenset(), api=True),
]


@pytest.fixture
def world(settings, tmp_path):
    settings.API_THROTTLE_PER_ADDRESS = settings.API_THROTTLE_PER_USER = "100000/m"
    settings.MEDIA_ROOT = tmp_path  # photos the world uploads
    borough = PlaceFactory(code="X06000001", kind=PlaceKind.COUNCIL_AREA)
    council = OrganisationFactory(kind=OrganisationKind.COUNCIL, slug="council", area=borough)
    org = OrganisationFactory(slug="trust")
    hidden = OrganisationFactory(slug="hidden", is_public=False)
    other = OrganisationFactory(slug="other")
    member_class = StakeholderClassFactory(organisation=org)
    ward = PlaceFactory(parent=borough)
    people = {role: UserFactory(ward=ward) for role in ROLES if role != "anonymous"}
    membership = MembershipFactory(person=people["member"], organisation=org, stakeholder_class=member_class)
    application = MembershipFactory(
        organisation=org, stakeholder_class=member_class, status="applied", member_number=None, admitted_on=None
    )
    RoleFactory(person=people["secretary"], organisation=org, kind=RoleKind.SECRETARY)
    RoleFactory(person=people["board_member"], organisation=org, kind=RoleKind.BOARD_MEMBER)
    other_role = RoleFactory(person=people["other_secretary"], organisation=other, kind=RoleKind.SECRETARY)
    council_role = RoleFactory(person=people["officer"], organisation=council, kind=RoleKind.OFFICER)
    RoleFactory(person=people["equalities"], organisation=council, kind=RoleKind.EQUALITIES)
    people["staff"].is_staff = True
    people["staff"].save(update_fields=["is_staff"])
    people["superuser"].is_staff = people["superuser"].is_superuser = True
    people["superuser"].save(update_fields=["is_staff", "is_superuser"])
    batch = LetterBatch.objects.create(council=council, status=LetterBatchStatus.READY, pdf=b"%PDF-1.4 test")
    resident_list = ResidentList.objects.create(
        council=council,
        name="Electoral register extract",
        delete_on=datetime.date.today() + datetime.timedelta(days=30),
    )
    keys = {
        **_election_keys(org, people, member_class),
        **_budget_keys(council, ward, people),
        **_governance_api_keys(org, other, people),
        **_governance_member_keys(org, people),
        **_governance_manage_keys(org, people),
        "council": council.slug,
        "other": other.slug,
        "batch": batch.pk,
        "resident_list": resident_list.pk,
        "org": org.slug,
        "org_id": org.pk,
        "hidden": hidden.slug,
        "membership": membership.pk,
        "application": application.pk,
        "resident_id": people["resident"].pk,
        "member_class": member_class.pk,
        "council_role": council_role.pk,
        "other_role": other_role.pk,
    }
    # Consultations and panels are built only for the rows that use them (a panel's selection runs the engine).
    lazy = _LazyKeys(keys)
    lazy.builders = {
        "cons_": lambda: _consultation_keys(council, other, ward, people),
        "panel_": lambda: _panel_keys(council, other, ward),
    }
    return people, lazy


class _LazyKeys(dict):
    """The world's keys; a key with a prefix of ``builders`` builds that part of the world when first asked for."""

    builders: dict

    def __missing__(self, key):
        for prefix, build in self.builders.items():
            if key.startswith(prefix):
                self.update(build())
                return self[key]
        raise KeyError(key)


def _election_keys(org, people, member_class) -> dict[str, int]:
    """Elections in each state the pages show, in the organisation the roles belong to."""
    from django.utils import timezone

    from coproduce.elections import services as elections
    from coproduce.elections.tests.factories import (
        ConstituencyFactory,
        ElectionFactory,
        NominationFactory,
        timetable,
    )
    from coproduce.voting import services as voting

    voters = [MembershipFactory(organisation=org, stakeholder_class=member_class).person for _ in range(3)]
    officer = people["officer"]

    def polled(stage: str):
        election = ElectionFactory(organisation=org, returning_officer=officer, **timetable(stage))
        constituency = ConstituencyFactory(election=election, seats=1)
        for voter in voters[:2]:
            NominationFactory(constituency=constituency, candidate=voter)
        elections.election_open_voting(election=election, by=officer)
        constituency.refresh_from_db()
        return election, constituency

    election, constituency = polled("voting")
    voting.paper_vote_mark(box=constituency.box, person=voters[2], by=officer)
    paper_batch = voting.paper_batch_start(box=constituency.box, by=officer)
    declared, declared_constituency = polled("closing")
    elections.vote(constituency=declared_constituency, person=voters[0], choices=[declared_constituency.box.options[0]])
    elections.election_close_voting(election=declared, by=officer)
    elections.election_count(election=declared, by=officer)
    draft = ElectionFactory(organisation=org, returning_officer=officer, stage="draft")
    ConstituencyFactory(election=draft)
    nominating = ElectionFactory(organisation=org, returning_officer=officer)
    nomination = NominationFactory(
        constituency=ConstituencyFactory(election=nominating), candidate=people["member"], status="submitted"
    )
    assert timezone.now() < nominating.nominations_close
    return {
        "election": election.pk,
        "constituency": constituency.pk,
        "paper_batch": paper_batch.pk,
        "declared": declared.pk,
        "declared_constituency": declared_constituency.pk,
        "draft": draft.pk,
        "nominating": nominating.pk,
        "nomination": nomination.pk,
    }


def _budget_keys(council, ward, people) -> dict[str, int]:
    """Budget rounds of the council: one declared, one voting, one draft."""
    from coproduce.budgets import services as budgets
    from coproduce.budgets.models import Stage
    from coproduce.budgets.tests.factories import BudgetRoundFactory, ProjectFactory, ResidentFactory, phases

    def opened(phase: str):
        budget_round = BudgetRoundFactory(organisation=council, place=ward, **phases(phase))
        project = ProjectFactory(round=budget_round)
        ProjectFactory(round=budget_round)
        return budgets.round_open_voting(budget_round=budget_round, by=people["officer"]), project

    voter = ResidentFactory(ward=ward)  # on the electorate, fixed when voting opens
    voting, _project = opened("voting")
    from coproduce.voting import services as ballot_box

    paper_batch = ballot_box.paper_batch_start(box=voting.box, by=people["officer"])
    declared, project = opened("closing")
    budgets.ballot_cast(budget_round=declared, person=voter, content=[str(project.pk)])
    budgets.round_close_voting(budget_round=declared, by=people["officer"])
    declared = budgets.round_count(budget_round=declared, by=people["officer"])
    assert declared.stage == Stage.DECLARED and voting.stage == Stage.VOTING
    update = budgets.project_update_add(project=project, by=people["officer"], text="Work has started.")
    draft = BudgetRoundFactory(organisation=council, place=ward, stage=Stage.DRAFT)
    return {
        "budget_project": project.pk,
        "budget_paper_batch": paper_batch.pk,
        "budget_update_photo": _update_photo(update),
        "budget_declared": declared.pk,
        "budget_voting": voting.pk,
        "budget_draft": draft.pk,
        **_budget_idea_keys(council, ward, people),
        **_budget_poll_keys(council, ward, people),
    }


def _update_photo(update) -> int:
    """A photo with a delivery update (the declared round's funded project)."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from coproduce.budgets.models import UpdatePhoto

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG")
    photo = UpdatePhoto(update=update, alt="The new benches")
    photo.image.save("benches.png", ContentFile(out.getvalue()), save=True)
    return photo.pk


def _budget_poll_keys(council, ward, people) -> dict[str, int]:
    """The council's youth polls: one open, one declared, one draft, each with pictured options."""
    import io

    from django.core.files.base import ContentFile
    from django.utils import timezone
    from PIL import Image

    from coproduce.budgets import services as budgets
    from coproduce.budgets.selectors import born_by
    from coproduce.budgets.tests.factories import ResidentFactory

    officer, now = people["officer"], timezone.now()
    young = ResidentFactory(ward=ward, date_of_birth=born_by(timezone.localdate(), 14) - datetime.timedelta(days=9))

    def poll(*, opened: bool):
        made = budgets.poll_create(
            organisation=council,
            by=officer,
            place=ward,
            title="Play park",
            question="What should go in the park?",
            opens=now - datetime.timedelta(days=1),
            closes=now + datetime.timedelta(days=7),
            min_age=11,
            max_age=18,
            pick_limit=1,
        )
        for name in ("Slide", "Swing"):
            out = io.BytesIO()
            Image.new("RGB", (8, 8), "green").save(out, format="PNG")
            picture = ContentFile(out.getvalue(), name=f"{name}.png")
            budgets.poll_option_add(poll=made, by=officer, title=name, picture=picture, alt=f"A {name.lower()}")
        if opened:
            budgets.poll_publish(poll=made, by=officer)
            made = budgets.poll_open(poll=made, by=officer)
        return made

    open_poll, declared, draft = poll(opened=True), poll(opened=True), poll(opened=False)
    budgets.poll_vote(poll=declared, person=young, option_ids=[declared.box.options[0]])
    declared = budgets.poll_close(poll=declared, by=officer, now=declared.closes)
    return {
        "poll_open": open_poll.pk,
        "poll_declared": declared.pk,
        "poll_draft": draft.pk,
        "poll_option": open_poll.options.first().pk,
        "poll_draft_option": draft.options.first().pk,
    }


def _budget_idea_keys(council, ward, people) -> dict[str, int]:
    """A round taking ideas that everyone living in the ward may join (no address check), with a
    published idea and one waiting for moderation (the resident's), each with a photo."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from coproduce.budgets.models import IdeaPhoto, IdeaStatus
    from coproduce.budgets.tests.factories import BudgetRoundFactory, IdeaFactory, phases
    from coproduce.core.verification import VerificationLevel

    budget_round = BudgetRoundFactory(
        organisation=council, place=ward, min_level=VerificationLevel.NONE, **phases("ideas")
    )
    published = IdeaFactory(round=budget_round, ward=ward)
    waiting = IdeaFactory(round=budget_round, proposer=people["resident"], status=IdeaStatus.SUBMITTED)
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(out, format="PNG")
    photos = []
    for idea in (published, waiting):
        photo = IdeaPhoto(idea=idea, alt="A bench")
        photo.image.save("bench.png", ContentFile(out.getvalue()), save=True)
        photos.append(photo.pk)
    return {
        "budget_ideas": budget_round.pk,
        "budget_idea": published.pk,
        "budget_idea_waiting": waiting.pk,
        "budget_idea_photo": photos[0],
        "budget_idea_waiting_photo": photos[1],
    }


def _governance_member_keys(org, people) -> dict[str, int | str]:
    """For the members' pages: the trust's AGM called with a resolution voted on in advance and a
    paper; last month's meeting, closed, with its minutes published; a requisition the member opened."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from coproduce.governance import selectors as meetings
    from coproduce.governance import services as governance
    from coproduce.governance.models import Minutes, MinutesStatus
    from coproduce.governance.tests.factories import MeetingFactory

    secretary, now = people["secretary"], timezone.now()
    agm = governance.meeting_create(
        organisation=org,
        by=secretary,
        kind="agm",
        title="Annual general meeting",
        starts_at=now + datetime.timedelta(days=30),
        place="Community hall",
    )
    item = governance.agenda_item_add(
        meeting=agm,
        by=secretary,
        title="Annual accounts",
        paper=ContentFile(b"%PDF-1.4 accounts", name="accounts.pdf"),
        paper_title="Accounts",
    )
    resolution = governance.resolution_add(
        meeting=agm, by=secretary, kind="ordinary", method="advance", title="Accounts", text="That they be received."
    )
    agm = governance.notice_send(meeting=agm, by=secretary)
    # A meeting held and closed, its minutes approved at a later one and published (the record as the
    # services leave it; reaching the trust's quorum of 10 through them would take 10 members here).
    held, later = (
        MeetingFactory(
            organisation=org,
            starts_at=now - datetime.timedelta(days=days),
            status="closed",
            notice_sent_on=(now - datetime.timedelta(days=days + 20)).date(),
            rules=agm.rules,
            notice_clear_days=14,
            chair=secretary,
            business_started_at=now - datetime.timedelta(days=days),
            members_entitled=1,
            quorum_required=1,
            quorum_present=1,
            closed_at=now - datetime.timedelta(days=days),
        )
        for days in (60, 30)
    )
    Minutes.objects.create(
        meeting=held,
        text="The meeting received the accounts.",
        status=MinutesStatus.PUBLISHED,
        approved_at=now,
        approved_at_meeting=later,
        published_at=now,
    )
    requisition = governance.requisition_open(
        organisation=org, by=people["member"], purpose="Repairs", proposed_resolutions="That repairs be put to us."
    )
    return {
        "meeting_agm": agm.pk,
        "meeting_resolution": resolution.pk,
        "meeting_paper": item.pk,
        "check_in_token": meetings.check_in_token(agm, people["member"]),
        "meeting_held": held.pk,
        "requisition": requisition.pk,
    }


def _governance_manage_keys(org, people) -> dict[str, int]:
    """For the secretary's and the chair's pages: the trust's meetings at each stage (a draft; one
    called, with its notices to post; one in progress with a resolution; one closed with a special
    resolution carried), set down as the services leave them, under a rules version of their own."""
    from django.utils import timezone

    from coproduce.governance import services as governance
    from coproduce.governance.models import MeetingRules, NoticeLetters
    from coproduce.governance.tests.factories import MeetingFactory, ResolutionFactory

    secretary, now = people["secretary"], timezone.now()
    rules, _made = MeetingRules.objects.get_or_create(organisation=org, effective_from=datetime.date(1990, 1, 1))
    draft = governance.meeting_create(
        organisation=org,
        by=secretary,
        kind="agm",
        title="Draft AGM",
        starts_at=now + datetime.timedelta(days=40),
        place="Community hall",
    )
    called_fields = {"organisation": org, "rules": rules, "notice_clear_days": 14}
    called = MeetingFactory(
        **called_fields, status="called", notice_sent_on=now.date(), starts_at=now + datetime.timedelta(days=30)
    )
    NoticeLetters.objects.create(meeting=called, pdf=b"%PDF-1.4 letters", letters=1)

    def held(status: str, days_ago: int):
        return MeetingFactory(
            **called_fields,
            status=status,
            starts_at=now - datetime.timedelta(days=days_ago, hours=1),
            notice_sent_on=(now - datetime.timedelta(days=days_ago + 20)).date(),
            chair=secretary,
            business_started_at=now - datetime.timedelta(days=days_ago),
            members_entitled=4,
            quorum_required=1,
            quorum_present=1,
            closed_at=now - datetime.timedelta(days=days_ago) if status == "closed" else None,
        )

    running, closed = held("in_progress", 0), held("closed", 20)
    resolution = ResolutionFactory(meeting=running)
    special = ResolutionFactory(
        meeting=closed,
        kind="special",
        method="poll",
        for_votes=3,
        against_votes=1,
        abstain_votes=0,
        members_entitled=4,
        threshold_numerator=3,
        threshold_denominator=4,
        threshold_inclusive=True,
        threshold_base="votes_cast",
        passed=True,
        declared_at=now - datetime.timedelta(days=20),
        declared_by=secretary,
    )
    return {
        "meeting_draft": draft.pk,
        "meeting_called": called.pk,
        "meeting_running": running.pk,
        "meeting_running_resolution": resolution.pk,
        "meeting_closed": closed.pk,
        "meeting_special": special.pk,
    }


def _governance_api_keys(org, other, people) -> dict[str, int]:
    """Meetings for the open record: the trust's AGM called (its record for members only), its board
    meeting and a draft; the other organisation's AGM, whose rules make the record public."""
    from coproduce.governance import services as governance
    from coproduce.governance.models import MeetingKind
    from coproduce.governance.tests.factories import MeetingFactory, MeetingRulesFactory

    def called(organisation, secretary, kind=MeetingKind.AGM):
        meeting = governance.meeting_create(
            organisation=organisation,
            by=secretary,
            kind=kind,
            title="Annual general meeting",
            starts_at=MeetingFactory.starts_at.function(),
            place="Community hall",
        )
        return governance.notice_send(meeting=meeting, by=secretary)

    MeetingRulesFactory(organisation=other, record_public=True)
    return {
        "meeting_api_agm": called(org, people["secretary"]).pk,
        "meeting_api_board": called(org, people["secretary"], MeetingKind.BOARD).pk,
        "meeting_api_draft": MeetingFactory(organisation=org).pk,
        "meeting_api_public": called(other, people["other_secretary"]).pk,
    }


def _consultation_keys(council, other, ward, people) -> dict[str, int | str]:
    """The council's consultations: one open with a document, a page, a question, an event with a
    registration, a draft response and a paper one; a closed one with "you said, we did"
    published; a draft; and one of another organisation."""
    from coproduce.consultations import services as consultations
    from coproduce.consultations.models import Channel, QuestionKind
    from coproduce.consultations.tests.factories import (
        ConsultationFactory,
        DocumentFactory,
        EventFactory,
        PageFactory,
        QuestionFactory,
        current_version,
    )

    opened = ConsultationFactory(organisation=council, place=ward)
    page = PageFactory(version=current_version(opened))
    question = QuestionFactory(page=page, kind=QuestionKind.LONG_TEXT)
    event = EventFactory(consultation=opened)
    _registration, registration_token = consultations.event_register(
        event=event, name="Ada Resident", email="ada@example.org"
    )
    _draft, resume_token = consultations.response_start(consultation=opened)
    paper, _token = consultations.response_start(
        consultation=opened, channel=Channel.PAPER, entered_by=people["officer"]
    )
    closed = ConsultationFactory(organisation=council, place=ward, closed=True)
    QuestionFactory(page=PageFactory(version=current_version(closed)), kind=QuestionKind.LONG_TEXT)
    consultations.feedback_save(
        consultation=closed, actor=people["officer"], said="Most of you liked it.", decision="We will do it."
    )
    consultations.feedback_publish(consultation=closed, actor=people["officer"])
    return {
        "cons_open": opened.pk,
        "cons_closed": closed.pk,
        "cons_draft": ConsultationFactory(organisation=council, place=ward, draft=True).pk,
        "cons_other": ConsultationFactory(organisation=other, place=ward).pk,
        "cons_document": DocumentFactory(consultation=opened).pk,
        "cons_page": page.pk,
        "cons_question": question.pk,
        "cons_event": event.pk,
        "cons_registration": registration_token,
        "cons_resume": resume_token,
        "cons_paper": paper.pk,
    }


def _panel_keys(council, other, ward) -> dict[str, int | str]:
    """The council's panels: one taking registrations (a letter's code), a draft, one whose
    selection is published (a selected person's link, a session); another organisation's."""
    from coproduce.panels import services as panels
    from coproduce.panels import tasks
    from coproduce.panels.models import RegistrantStatus, Stage
    from coproduce.panels.tests.factories import (
        InvitationFactory,
        PanelFactory,
        RegistrantFactory,
        SessionFactory,
        TargetFactory,
        registration_dates,
    )

    opened = PanelFactory(organisation=council, place=ward)
    # A real (small) selection, published: 2 of 4, one of each sex.
    published = PanelFactory(
        organisation=council, place=ward, size=2, categories=["sex"], **registration_dates("closed")
    )
    for sex in ("female", "male"):
        TargetFactory(panel=published, feature="sex", value=sex, minimum=1, maximum=1)
        for _ in range(2):
            RegistrantFactory(panel=published, features={"sex": sex})
    officer = UserFactory(is_superuser=True)
    panels.selection_seed_set(panel=published, actor=officer, seed="matrix")
    panels.selection_start(panel=published, actor=officer)
    tasks.select_panel.call(published.pk)
    published.refresh_from_db()
    assert published.stage == Stage.SELECTED, published.selection_problem
    panels.selection_publish(panel=published, actor=officer)
    selected = published.registrants.filter(status=RegistrantStatus.SELECTED).first()
    return {
        "panel_open": opened.pk,
        "panel_draft": PanelFactory(organisation=council, place=ward, stage=Stage.DRAFT).pk,
        "panel_published": published.pk,
        "panel_other": PanelFactory(organisation=other, place=ward).pk,
        "panel_code": InvitationFactory(panel=opened).code,
        "panel_token": panels.token_issue(selected),
        "panel_session": SessionFactory(panel=published).pk,
    }


def _matrix():
    return [pytest.param(target, role, id=f"{target.name}-{role}") for target in TARGETS for role in ROLES]


@pytest.mark.parametrize(("target", "role"), _matrix())
def test_authorisation_matrix(client, world, target: Target, role: str):
    people, keys = world
    if role != "anonymous":
        sign_in_with_mfa(client, people[role])
    url = target.url.format_map(keys)
    response = client.post(url) if target.post else client.get(url)
    status = response.status_code
    if role in target.sent_elsewhere:
        assert status == 302 and "/accounts/login/" not in response["Location"], (status, response.get("Location"))
        return
    if role in target.allowed:
        if target.post:  # an empty form: answered with its errors or done, but never refused
            assert status in (200, 302) and "/accounts/login/" not in response.get("Location", ""), status
        else:
            assert status == 200, f"{role} should reach {target.name}: {status}"
        return
    if target.api:
        assert status == (401 if role == "anonymous" else 403) or status == 404, status
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["detail"]
    else:
        # Follow redirects (the admin sends strangers to its log-in, which hands over to allauth's).
        final = client.post(url, follow=True) if target.post else client.get(url, follow=True)
        if role == "anonymous" and final.redirect_chain:
            assert final.request["PATH_INFO"] == "/accounts/login/", final.redirect_chain
        else:
            assert final.status_code in (403, 404), f"{role} must be refused {target.name}: {final.status_code}"


def test_the_table_covers_every_page_of_the_site():
    """A new URL pattern without a row in the table fails here, so the matrix cannot fall behind."""
    from django.urls import get_resolver, resolve

    from coproduce.config.urls import urlpatterns

    assert urlpatterns  # the resolver below reads the same configuration
    names: set[str] = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                module = getattr(pattern.urlconf_name, "__name__", "")
                if (pattern.namespace or "") in {"admin", "api"} or module.startswith("allauth"):
                    continue  # admin, API and allauth are tested through the rows above and test_security
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and namespace:
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    urls = (target.url.format_map(_AnyKey()).removeprefix("/cy") for target in TARGETS if not target.api)
    covered = {resolve(url).view_name for url in urls}
    assert names <= covered | EXEMPT, f"add rows to TARGETS for: {sorted(names - covered - EXEMPT)}"


# URL names deliberately left out of the table, each with its reason (none so far).
EXEMPT: set[str] = set()


class _AnyKey(dict):
    """Fills every {key} of a URL with a number, so a row's URL can be resolved to its view's name."""

    def __missing__(self, key: str) -> str:
        return "1"


def test_the_demo_officer_holds_no_admin_permission():
    """Officers work on the site's pages; the demo gives them neither staff status nor any group."""
    from coproduce.core.demo import build_demo

    officer = build_demo()["users"]["officer"]
    assert not officer.is_staff and not officer.is_superuser
    assert not officer.groups.exists() and not officer.user_permissions.exists()
