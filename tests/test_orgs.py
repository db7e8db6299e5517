"""Organisations: a team's members share one wallet, plan, bill and set of
keys, with roles read from the database on every request, invitations by
email, and no way across to another organisation (chalicelib/orgs)."""
import concurrent.futures
import datetime
import re
import urllib.parse

import pytest

from chalicelib.platform.models import Account, Invitation, LedgerEntry, Membership, OrgCounts, OwnedOrgs
from conftest import call
from email_support import inbox_of
from scripts.devstack import inbox
from webhook_support import deliver_all


@pytest.fixture(scope="module", autouse=True)
def inbox_keeps_parts():
    inbox.keep_message_parts()


def as_org(user, org_id):
    return dict(user.headers, **{"X-Org-Id": org_id})


def create_org(client, owner, name="Acme"):
    status, body = call(client, "POST", "/orgs", owner.headers, {"name": name})
    assert status == 201, body
    return body["org"]["id"]


def invite(client, inviter, org_id, invitee, role):
    status, body = call(client, "POST", "/orgs/%s/invitations" % org_id, inviter.headers,
                        {"email": invitee.email.upper(), "role": role})
    assert status == 201, body
    return body["invitation"]


def emailed_token(person):
    """The token in the newest invitation email to `person`."""
    message = [m for m in inbox_of(person) if "invited you" in m["subject"]][0]
    link = re.search(r"https?://\S+/invite\?token=\S+", message["text"]).group(0)
    return urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["token"][0]


def join(client, owner, org_id, person, role):
    invite(client, owner, org_id, person, role)
    status, body = call(client, "POST", "/invitations/accept", person.headers, {"token": emailed_token(person)})
    assert status == 200, body
    return body["org"]


@pytest.fixture
def team(client, new_user):
    """Acme: an owner, a developer and a billing member (each with an account)."""
    owner, developer, biller = new_user(), new_user(), new_user()
    for person in (owner, developer, biller):
        assert call(client, "GET", "/user", person.headers)[0] == 200
    org_id = create_org(client, owner)
    join(client, owner, org_id, developer, "developer")
    join(client, owner, org_id, biller, "billing")
    return org_id, owner, developer, biller


def new_key(client, person, org_id, name="ci"):
    status, body = call(client, "POST", "/keys", as_org(person, org_id), {"name": name})
    assert status == 201, body
    return body


def spend(client, key):
    return call(client, "POST", "/test", {"x-api-key": key})


def owners_of(org_id):
    return [m.key.split(":", 1)[1] for m in Membership.query(org_id, Membership.key.startswith("member:"),
                                                             consistent_read=True) if m.role == "owner"]


# Creating and listing ----------------------------------------------------------


def test_a_team_starts_with_no_credits_no_refill_and_its_owner(client, user):
    org_id = create_org(client, user, "  Acme   Labs ")
    assert call(client, "GET", "/orgs", user.headers) == (200, {"orgs": [
        {"id": user.id, "name": "Personal", "role": "owner", "personal": True},
        {"id": org_id, "name": "Acme Labs", "role": "owner", "personal": False}]})
    status, body = call(client, "GET", "/user", as_org(user, org_id))
    assert status == 200
    assert (body["user"]["id"], body["user"]["plan"], body["user"]["credits"], body["user"]["email"]) == (
        org_id, "Free", 0, None)
    assert body["user"]["org"] == {"id": org_id, "name": "Acme Labs", "role": "owner", "personal": False}
    team_account = Account.get(org_id, consistent_read=True)
    assert team_account.refill_execution is None and team_account.stripe_customer_id is None
    assert [entry.kind for entry in LedgerEntry.query(org_id) if entry.kind] == []
    # The personal organisation is untouched and still the default.
    status, body = call(client, "GET", "/user", user.headers)
    assert body["user"]["id"] == user.id and body["user"]["credits"] == 50
    assert body["user"]["org"] == {"id": user.id, "name": "Personal", "role": "owner", "personal": True}
    assert call(client, "GET", "/user", as_org(user, user.id))[1]["user"]["id"] == user.id


@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "   "}, {"name": 7}, {"name": "x" * 65},
                                  {"name": "tab\there"}])
def test_a_bad_name_is_refused_and_creates_nothing(client, user, body):
    status, answer = call(client, "POST", "/orgs", user.headers, body)
    assert (status, answer["error"]["code"]) == (400, "invalid_name")
    assert len(call(client, "GET", "/orgs", user.headers)[1]["orgs"]) == 1


def test_ten_owned_organisations_at_most(client, user):
    for index in range(10):
        create_org(client, user, "Team %d" % index)
    status, body = call(client, "POST", "/orgs", user.headers, {"name": "Eleven"})
    assert (status, body["error"]["code"]) == (409, "too_many_orgs")
    assert len(call(client, "GET", "/orgs", user.headers)[1]["orgs"]) == 11
    assert int(OwnedOrgs.get(user.id, "orgs").owned) == 10


def test_an_account_written_before_organisations_is_a_personal_organisation(client, user):
    """Items as the code before organisations wrote them: no membership, no
    org attributes. Nothing to migrate: the account is its user's personal
    organisation."""
    Account(user.id, email=user.email, created_at="2026-01-01T00:00:00.000000Z", plan="Free", credits=12,
            purchased_credits=0, usage={}, api_keys={}).save()
    assert call(client, "GET", "/orgs", user.headers)[1]["orgs"] == [
        {"id": user.id, "name": "Personal", "role": "owner", "personal": True}]
    status, body = call(client, "GET", "/user", as_org(user, user.id))
    assert (status, body["user"]["credits"], body["user"]["org"]["personal"]) == (200, 12, True)
    key = new_key(client, user, user.id)["key"]
    assert spend(client, key)[1]["credits"] == 11


# Choosing the organisation: no way across ---------------------------------------

ACCOUNT_ROUTES = [("GET", "/user"), ("GET", "/keys"), ("POST", "/keys"), ("GET", "/usage"), ("GET", "/ledger"),
                  ("POST", "/checkout"), ("POST", "/change-plan"), ("POST", "/cancel-plan-change"),
                  ("POST", "/stop-subscriptions"), ("POST", "/billing-portal"), ("GET", "/alerts"),
                  ("PUT", "/alerts"), ("GET", "/auto-top-up"), ("PUT", "/auto-top-up"), ("POST", "/payment-method"),
                  ("POST", "/generate-key")]
BODIES = {"/keys": {"name": "x"}, "/checkout": {"plan": "Basic", "subscribe": False},
          "/change-plan": {"plan": "Basic"}, "/alerts": {"low_balance": 5},
          "/auto-top-up": {"enabled": False, "threshold": 10, "pack": "Basic", "monthly_limit": 1}}


def org_routes(org_id, member_id):
    return [("GET", "/orgs/%s/members" % org_id, None), ("DELETE", "/orgs/%s" % org_id, None),
            ("PATCH", "/orgs/%s/members/%s" % (org_id, member_id), {"role": "admin"}),
            ("DELETE", "/orgs/%s/members/%s" % (org_id, member_id), None),
            ("POST", "/orgs/%s/transfer" % org_id, {"user_id": member_id}),
            ("GET", "/orgs/%s/invitations" % org_id, None),
            ("POST", "/orgs/%s/invitations" % org_id, {"email": "x@example.com", "role": "developer"}),
            ("DELETE", "/orgs/%s/invitations/%s" % (org_id, "0" * 20), None)]


def test_a_stranger_gets_404_on_every_route_of_another_organisation(client, team, new_user):
    org_id, owner, developer, _ = team
    stranger = new_user()
    for method, path in ACCOUNT_ROUTES:
        status, body = call(client, method, path, as_org(stranger, org_id), BODIES.get(path))
        assert (status, body["error"]["code"]) == (404, "org_not_found"), (method, path)
    for method, path, body in org_routes(org_id, developer.id):
        status, answer = call(client, method, path, stranger.headers, body)
        assert (status, answer["error"]["code"]) == (404, "org_not_found"), (method, path)
    # Another user's personal organisation is no way in either, nor a made-up id.
    for org in (owner.id, "org_" + "0" * 20, "../etc", "x" * 65):
        status, body = call(client, "GET", "/user", as_org(stranger, org))
        assert (status, body["error"]["code"]) == (404, "org_not_found"), org
    assert [m.user_id for m in Membership.query(org_id, Membership.key.startswith("member:"))] == [org_id] * 3


def test_a_guessed_member_id_of_another_organisation_is_not_found(client, team, new_user):
    org_id, _, developer, _ = team
    other_owner = new_user()
    other_org = create_org(client, other_owner, "Other")
    for method, path, body in org_routes(other_org, developer.id)[2:5]:
        status, answer = call(client, method, path, other_owner.headers, body)
        assert (status, answer["error"]["code"]) == (404, "member_not_found"), path
    assert Membership.get(org_id, "member:" + developer.id).role == "developer"


# Roles ---------------------------------------------------------------------------


def test_each_role_gets_what_the_matrix_gives_and_403_for_the_rest(client, team, stripe_sandbox, stripe_products):
    org_id, owner, developer, biller = team
    admin = developer  # promoted below, after the developer's checks
    for person in (owner, developer, biller):
        assert call(client, "GET", "/user", as_org(person, org_id))[0] == 200
        assert call(client, "GET", "/usage", as_org(person, org_id))[0] == 200
        assert call(client, "GET", "/ledger", as_org(person, org_id))[0] == 200
    forbidden = lambda person, method, path, body=None: call(client, method, path, as_org(person, org_id), body)
    for method, path, body in [("POST", "/checkout", BODIES["/checkout"]), ("POST", "/billing-portal", None),
                               ("GET", "/alerts", None), ("PUT", "/auto-top-up", BODIES["/auto-top-up"]),
                               ("POST", "/stop-subscriptions", None)]:
        status, answer = forbidden(developer, method, path, body)
        assert (status, answer["error"]["code"]) == (403, "forbidden_role"), path
    for method, path, body in [("POST", "/keys", {"name": "x"}), ("GET", "/keys", None),
                               ("POST", "/generate-key", None)]:
        status, answer = forbidden(biller, method, path, body)
        assert (status, answer["error"]["code"]) == (403, "forbidden_role"), path
    for person in (developer, biller):
        status, answer = call(client, "POST", "/orgs/%s/invitations" % org_id, person.headers,
                              {"email": "new@example.com", "role": "developer"})
        assert (status, answer["error"]["code"]) == (403, "forbidden_role")
        status, answer = call(client, "DELETE", "/orgs/%s" % org_id, person.headers)
        assert (status, answer["error"]["code"]) == (403, "forbidden_role")
    assert new_key(client, developer, org_id)["created_by"] == developer.id
    status, answer = call(client, "POST", "/checkout", as_org(biller, org_id), BODIES["/checkout"])
    assert status == 200 and answer["url"], answer
    assert Account.get(org_id, consistent_read=True).stripe_customer_id  # the team's own customer
    # An admin manages members but never acts on owners.
    assert call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, admin.id), owner.headers,
                {"role": "admin"})[1]["member"]["role"] == "admin"
    for method, path, body in [("PATCH", "/orgs/%s/members/%s" % (org_id, owner.id), {"role": "developer"}),
                               ("DELETE", "/orgs/%s/members/%s" % (org_id, owner.id), None),
                               ("PATCH", "/orgs/%s/members/%s" % (org_id, biller.id), {"role": "owner"}),
                               ("POST", "/orgs/%s/transfer" % org_id, {"user_id": admin.id}),
                               ("DELETE", "/orgs/%s" % org_id, None)]:
        status, answer = call(client, method, path, admin.headers, body)
        assert (status, answer["error"]["code"]) == (403, "forbidden_role"), (method, path)
    assert call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, biller.id), admin.headers,
                {"role": "developer"})[0] == 200
    assert owners_of(org_id) == [owner.id]


def test_a_developer_cannot_change_their_own_role(client, team):
    org_id, _, developer, _ = team
    for role in ("admin", "owner", "billing"):
        status, body = call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, developer.id), developer.headers,
                            {"role": role})
        assert (status, body["error"]["code"]) == (403, "forbidden_role")
    assert Membership.get(org_id, "member:" + developer.id, consistent_read=True).role == "developer"


def test_a_role_is_read_from_the_database_on_every_request(client, team):
    org_id, owner, developer, _ = team
    assert call(client, "GET", "/keys", as_org(developer, org_id))[0] == 200
    assert call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, developer.id), owner.headers,
                {"role": "billing"})[0] == 200
    status, body = call(client, "GET", "/keys", as_org(developer, org_id))
    assert (status, body["error"]["code"]) == (403, "forbidden_role")
    assert [org["role"] for org in call(client, "GET", "/orgs", developer.headers)[1]["orgs"]] == ["owner", "billing"]


# The wallet ---------------------------------------------------------------------------


def test_a_team_key_spends_the_teams_wallet_not_the_members(client, team, stripe_sandbox, stripe_products,
                                                             webhook_secret):
    org_id, owner, developer, biller = team
    status, body = call(client, "POST", "/checkout", as_org(biller, org_id), {"plan": "Basic", "subscribe": False})
    assert status == 200, body
    stripe_sandbox.complete_checkout(body["session_id"])
    customer = Account.get(org_id, consistent_read=True).stripe_customer_id
    deliver_all(client, stripe_sandbox.events(customer=customer))
    key = new_key(client, developer, org_id)["key"]
    status, body = spend(client, key)
    assert (status, body["credits"]) == (200, 999)
    assert call(client, "GET", "/user", developer.headers)[1]["user"]["credits"] == 50
    assert call(client, "GET", "/user", as_org(owner, org_id))[1]["user"]["credits"] == 999


# Invitations ------------------------------------------------------------------------


def test_an_invitation_is_emailed_and_its_token_stored_only_as_a_hash(client, user, new_user):
    org_id = create_org(client, user)
    invitee = new_user()
    sent = invite(client, user, org_id, invitee, "developer")
    assert set(sent) == {"id", "email", "role", "expires_at"}
    assert sent["email"] == invitee.email and sent["role"] == "developer"
    expires = datetime.datetime.fromisoformat(sent["expires_at"].replace("Z", "+00:00"))
    assert datetime.timedelta(days=6, hours=23) < expires - datetime.datetime.now(datetime.timezone.utc) \
        <= datetime.timedelta(days=7)
    message = [m for m in inbox_of(invitee) if "invited you" in m["subject"]][0]
    token = emailed_token(invitee)
    assert "Acme" in message["subject"] and 'href="http' in message["html"] and token in message["html"]
    assert len(token.rsplit(".", 1)[1]) * 6 >= 128  # the random part: 192 bits
    item = Invitation.get(org_id, "invite:" + sent["id"])
    assert token not in str(item.attribute_values) and item.token_hash != token
    assert call(client, "GET", "/orgs/%s/invitations" % org_id, user.headers) == (200, {"invitations": [sent]})


def test_an_invitation_works_once_for_the_invited_address_only(client, user, new_user):
    org_id = create_org(client, user)
    invitee, other = new_user(), new_user()
    invite(client, user, org_id, invitee, "billing")
    token = emailed_token(invitee)
    status, body = call(client, "POST", "/invitations/accept", other.headers, {"token": token})
    assert (status, body["error"]["code"]) == (403, "invitation_email_mismatch")
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": token})
    assert (status, body) == (200, {"org": {"id": org_id, "name": "Acme", "role": "billing", "personal": False}})
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": token})
    assert (status, body["error"]["code"]) == (404, "invitation_not_found")
    for forged in (token[:-1] + ("A" if token[-1] != "A" else "B"), "nonsense", org_id + ".x.y"):
        status, body = call(client, "POST", "/invitations/accept", other.headers, {"token": forged})
        assert (status, body["error"]["code"]) == (404, "invitation_not_found"), forged
    assert int(OrgCounts.get(org_id, "org").members) == 2
    assert call(client, "GET", "/orgs/%s/invitations" % org_id, user.headers) == (200, {"invitations": []})


def test_inviting_again_replaces_the_token_and_a_revoked_one_is_gone(client, user, new_user):
    org_id = create_org(client, user)
    invitee = new_user()
    first = invite(client, user, org_id, invitee, "developer")
    old_token = emailed_token(invitee)
    second = invite(client, user, org_id, invitee, "admin")
    assert first["id"] == second["id"] and second["role"] == "admin"
    new_token = emailed_token(invitee)
    assert new_token != old_token
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": old_token})
    assert (status, body["error"]["code"]) == (404, "invitation_not_found")
    assert call(client, "DELETE", "/orgs/%s/invitations/%s" % (org_id, second["id"]), user.headers)[0] == 204
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": new_token})
    assert (status, body["error"]["code"]) == (404, "invitation_not_found")
    assert call(client, "DELETE", "/orgs/%s/invitations/%s" % (org_id, second["id"]), user.headers)[0] == 404


def test_an_expired_invitation_answers_410(client, user, new_user):
    org_id = create_org(client, user)
    invitee = new_user()
    sent = invite(client, user, org_id, invitee, "developer")
    item = Invitation.get(org_id, "invite:" + sent["id"])
    item.update(actions=[Invitation.valid_until.set(int(datetime.datetime.now().timestamp()) - 1)])
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": emailed_token(invitee)})
    assert (status, body["error"]["code"]) == (410, "invitation_expired")
    assert call(client, "GET", "/orgs", invitee.headers)[1]["orgs"][1:] == []


def test_someone_without_an_account_signs_up_and_accepts(client, user, new_user):
    org_id = create_org(client, user)
    newcomer = new_user()  # signed up from the link: no request made yet, so no account
    assert Account.count(newcomer.id) == 0
    invite(client, user, org_id, newcomer, "developer")
    status, body = call(client, "POST", "/invitations/accept", newcomer.headers, {"token": emailed_token(newcomer)})
    assert status == 200 and body["org"]["role"] == "developer"
    assert Account.get(newcomer.id).credits == 50  # their own personal organisation, too


def test_twenty_concurrent_accepts_of_one_token_make_one_membership(client, user, new_user):
    org_id = create_org(client, user)
    invitee = new_user()
    invite(client, user, org_id, invitee, "developer")
    token = emailed_token(invitee)
    assert call(client, "GET", "/user", invitee.headers)[0] == 200
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(lambda _: call(client, "POST", "/invitations/accept", invitee.headers,
                                                {"token": token})[0], range(20)))
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 404}
    assert int(OrgCounts.get(org_id, "org", consistent_read=True).members) == 2
    assert len(list(Membership.query(org_id, Membership.key.startswith("member:"), consistent_read=True))) == 2


def test_fifty_members_at_most(client, user, new_user):
    org_id = create_org(client, user)
    OrgCounts(org_id).update(actions=[OrgCounts.members.set(50)])
    invitee = new_user()
    invite(client, user, org_id, invitee, "developer")
    status, body = call(client, "POST", "/invitations/accept", invitee.headers, {"token": emailed_token(invitee)})
    assert (status, body["error"]["code"]) == (409, "too_many_members")
    assert access_membership(org_id, invitee.id) is None


def access_membership(org_id, user_id):
    from chalicelib.orgs.access import membership
    return membership(org_id, user_id)


# Changing members ---------------------------------------------------------------------


def test_removing_a_member_revokes_their_keys_there_at_once(client, team):
    org_id, owner, developer, _ = team
    theirs = new_key(client, developer, org_id, "theirs")
    ours = new_key(client, owner, org_id, "ours")
    personal = new_key(client, developer, developer.id, "personal")
    keys_listed = call(client, "GET", "/keys", as_org(owner, org_id))[1]["keys"]
    assert {(key["name"], key["created_by"]) for key in keys_listed} == {("theirs", developer.id),
                                                                       ("ours", owner.id)}
    status, body = call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, developer.id), owner.headers)
    assert (status, body) == (200, {"removed": developer.id, "revoked_keys": [theirs["id"]]})
    assert spend(client, theirs["key"])[0] == 401
    assert spend(client, personal["key"])[0] == 200
    assert call(client, "GET", "/user", as_org(developer, org_id))[0] == 404
    assert [org["id"] for org in call(client, "GET", "/orgs", developer.headers)[1]["orgs"]] == [developer.id]
    assert [key["name"] for key in call(client, "GET", "/keys", as_org(owner, org_id))[1]["keys"]] == ["ours"]
    assert spend(client, ours["key"])[0] == 402  # the team has no credits, but the key is known


def test_a_member_can_leave_but_the_last_owner_cannot(client, team):
    org_id, owner, developer, biller = team
    assert call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, biller.id), biller.headers)[0] == 200
    status, body = call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, owner.id), owner.headers)
    assert (status, body["error"]["code"]) == (409, "last_owner")
    status, body = call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, owner.id), owner.headers, {"role": "admin"})
    assert (status, body["error"]["code"]) == (409, "last_owner")
    assert owners_of(org_id) == [owner.id]


def test_transfer_makes_the_member_owner_and_the_caller_admin(client, team):
    org_id, owner, developer, biller = team
    status, body = call(client, "POST", "/orgs/%s/transfer" % org_id, owner.headers, {"user_id": biller.id})
    assert (status, body["org"]["role"]) == (200, "admin")
    assert owners_of(org_id) == [biller.id]
    assert int(OwnedOrgs.get(owner.id, "orgs").owned) == 0 and int(OwnedOrgs.get(biller.id, "orgs").owned) == 1
    status, body = call(client, "DELETE", "/orgs/%s" % org_id, owner.headers)
    assert (status, body["error"]["code"]) == (403, "forbidden_role")
    status, body = call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, biller.id), biller.headers)
    assert (status, body["error"]["code"]) == (409, "last_owner")
    status, body = call(client, "POST", "/orgs/%s/transfer" % org_id, owner.headers, {"user_id": developer.id})
    assert (status, body["error"]["code"]) == (403, "forbidden_role")


def test_concurrent_removals_and_transfers_always_leave_an_owner(client, team):
    """Run in threads on the domain service itself: the in-process HTTP
    client shares one current request between threads, so callers could be
    mixed up there; here each thread acts as the person it names."""
    from chalicelib import orgs
    from chalicelib.orgs.access import resolve
    from chalicelib.platform.errors import ApiError
    from chalicelib.web.auth import Identity

    org_id, owner, developer, _ = team
    assert call(client, "PATCH", "/orgs/%s/members/%s" % (org_id, developer.id), owner.headers,
                {"role": "owner"})[0] == 200
    members = orgs.org_members()

    def acting_as(person):
        return resolve(Identity(person.id, person.email), None, org_id)

    attempts = []
    for index in range(10):
        first, second = (owner, developer) if index % 2 == 0 else (developer, owner)
        attempts.append(lambda a=first, b=second: members.remove(acting_as(a), b.id))
        attempts.append(lambda a=second, b=first: members.transfer(acting_as(a), b.id))
        attempts.append(lambda a=first: members.remove(acting_as(a), a.id))

    def run(attempt):
        try:
            attempt()
            return 200
        except ApiError as error:
            return error.status

    with concurrent.futures.ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(run, attempts))
    assert 200 in statuses and set(statuses) <= {200, 403, 404, 409}
    owners = owners_of(org_id)
    assert len(owners) >= 1
    assert int(OrgCounts.get(org_id, "org", consistent_read=True).owners) == len(owners)
    members_left = list(Membership.query(org_id, Membership.key.startswith("member:"), consistent_read=True))
    assert int(OrgCounts.get(org_id, "org", consistent_read=True).members) == len(members_left)


# Deleting -------------------------------------------------------------------------------


def test_deleting_a_team_stops_its_keys_and_memberships(client, team):
    org_id, owner, developer, _ = team
    key = new_key(client, developer, org_id)["key"]
    invite_status = call(client, "POST", "/orgs/%s/invitations" % org_id, owner.headers,
                         {"email": "later@example.com", "role": "developer"})[0]
    assert invite_status == 201
    assert call(client, "DELETE", "/orgs/%s" % org_id, owner.headers)[0] == 204
    assert spend(client, key)[0] == 401
    for person in team[1:]:
        assert [org["id"] for org in call(client, "GET", "/orgs", person.headers)[1]["orgs"]] == [person.id]
        assert call(client, "GET", "/user", as_org(person, org_id))[0] == 404
    assert list(Membership.query(org_id, Membership.key.startswith("member:"))) == []
    assert list(Invitation.query(org_id, Invitation.key.startswith("invite:"))) == []
    assert int(OwnedOrgs.get(owner.id, "orgs").owned) == 0
    assert Account.get(org_id).closed_at  # the ledger stays, under the closed account
    status, body = call(client, "DELETE", "/orgs/%s" % owner.id, owner.headers)
    assert (status, body["error"]["code"]) == (409, "personal_org")


def test_deleting_a_team_deletes_its_stripe_customer(client, team, stripe_sandbox, stripe_products):
    org_id, owner, _, biller = team
    status, body = call(client, "POST", "/checkout", as_org(biller, org_id), {"plan": "Basic", "subscribe": False})
    assert status == 200, body
    customer = Account.get(org_id, consistent_read=True).stripe_customer_id
    assert stripe_sandbox.get(customer).get("deleted") is not True
    assert call(client, "DELETE", "/orgs/%s" % org_id, owner.headers)[0] == 204
    assert stripe_sandbox.get(customer).get("deleted") is True
    assert call(client, "DELETE", "/orgs/%s" % org_id, owner.headers)[0] == 404  # gone for its members


def test_a_team_with_a_live_subscription_cannot_be_deleted(client, team):
    from chalicelib.platform.models import SubscriptionAttribute
    org_id, owner, _, _ = team
    account = Account.get(org_id)
    account.subscription = SubscriptionAttribute(id="sub_1", plan="Basic", status="active")
    account.save()
    status, body = call(client, "DELETE", "/orgs/%s" % org_id, owner.headers)
    assert (status, body["error"]["code"]) == (409, "subscription_active")
    assert owners_of(org_id) == [owner.id]


# Emails about a team's account --------------------------------------------------------


def test_a_teams_account_emails_go_to_its_owners_and_billing_members(client, team):
    from chalicelib.notices.sender import _addresses
    org_id, owner, developer, biller = team
    assert _addresses(Account.get(org_id)) == sorted([owner.email, biller.email])


# Operators ---------------------------------------------------------------------------------


def test_operators_find_a_team_by_name_id_or_a_members_email_and_see_its_members(client, team, operator):
    org_id, owner, developer, _ = team
    name = "Zeta " + org_id[-8:]  # a name no other test's team has
    from chalicelib.platform.models import Account as Accounts
    Accounts(org_id).update(actions=[Accounts.org_name.set(name)])
    call(client, "POST", "/orgs/%s/invitations" % org_id, owner.headers, {"email": "pending@example.com",
                                                                          "role": "billing"})
    for query in (org_id, name.lower(), name):
        status, body = call(client, "GET", "/admin/accounts?q=%s" % urllib.parse.quote(query), operator.headers)
        assert status == 200, body
        assert [found["org_name"] for found in body["accounts"] if found["id"] == org_id] == [name], query
    status, body = call(client, "GET", "/admin/accounts?q=%s" % urllib.parse.quote(developer.email),
                        operator.headers)
    assert [found["member_of"] for found in body["accounts"]] == [[{"id": org_id, "name": "Acme",
                                                                     "role": "developer"}]]
    status, body = call(client, "GET", "/admin/accounts/%s" % org_id, operator.headers)
    assert status == 200
    organisation = body["account"]["organisation"]
    assert (organisation["personal"], organisation["name"]) == (False, name)
    assert sorted((m["email"], m["role"]) for m in organisation["members"]) == sorted(
        [(owner.email, "owner"), (developer.email, "developer"), (team[3].email, "billing")])
    assert [(i["email"], i["role"]) for i in organisation["invitations"]] == [("pending@example.com", "billing")]
    status, body = call(client, "GET", "/admin/accounts/%s" % developer.id, operator.headers)
    assert body["account"]["organisation"]["member_of"] == [{"id": org_id, "name": "Acme", "role": "developer"}]
    # (MemberOf keeps the name the member joined under; organisations have no rename.)


def test_the_summary_counts_team_organisations_apart_from_sign_ups(client, team, operator):
    from chalicelib.operators.summary import Totals
    totals = Totals(["2026-12-03", "2026-12-04"], {})
    totals.add({"plan": {"S": "Free"}, "created_at": {"S": "2026-12-04T00:00:00Z"}})
    totals.add({"plan": {"S": "Free"}, "created_at": {"S": "2026-12-04T00:00:00Z"}, "on": {"S": "Acme"}})
    totals.add({"plan": {"S": "Free"}, "created_at": {"S": "2026-12-04T00:00:00Z"}, "on": {"S": "Gone"},
                "closed_at": {"S": "2026-12-04T01:00:00Z"}})
    view = totals.view({}, {}, "2026-12-04T02:00:00Z")
    assert (view["accounts"], view["team_organisations"], view["daily"][-1]["signups"]) == (3, 1, 1)
    status, body = call(client, "GET", "/admin/summary?fresh=true", operator.headers)
    assert status == 200 and body["summary"]["team_organisations"] >= 1


def test_a_key_created_as_the_member_is_removed_is_refused(client, team):
    """The removal wins a race with a key creation that read the membership
    before it went: the creation's own transaction checks it again."""
    from chalicelib import keys, orgs
    from chalicelib.orgs.access import resolve
    from chalicelib.web.auth import Identity

    org_id, owner, developer, _ = team
    found = resolve(Identity(developer.id, developer.email), None, org_id, "keys")
    assert call(client, "DELETE", "/orgs/%s/members/%s" % (org_id, developer.id), owner.headers)[0] == 200
    with pytest.raises(Exception) as refused:
        keys.api_keys().create(found.account, "late", None, created_by=developer.id,
                               guard=orgs.key_creator_guard(found))
    assert getattr(refused.value, "code", None) == "org_not_found"
    assert call(client, "GET", "/keys", as_org(owner, org_id))[1]["keys"] == []


def test_a_team_back_on_free_gets_no_free_allowance_and_no_refill(client, team, stripe_sandbox, stripe_products,
                                                                  webhook_secret):
    org_id, _, _, biller = team
    status, body = call(client, "POST", "/checkout", as_org(biller, org_id), {"plan": "Basic", "subscribe": True})
    assert status == 200, body
    stripe_sandbox.complete_checkout(body["session_id"])
    customer = Account.get(org_id, consistent_read=True).stripe_customer_id
    deliver_all(client, stripe_sandbox.events(customer=customer))
    user = call(client, "GET", "/user", as_org(biller, org_id))[1]["user"]
    assert (user["plan"], user["credits"]) == ("Basic", 1000)
    assert call(client, "POST", "/stop-subscriptions", as_org(biller, org_id))[0] == 200
    deliver_all(client, stripe_sandbox.events(customer=customer))
    user = call(client, "GET", "/user", as_org(biller, org_id))[1]["user"]
    assert (user["plan"], user["plan_credits"], user["subscription"]) == ("Free", 0, None)
    assert Account.get(org_id, consistent_read=True).refill_execution is None
