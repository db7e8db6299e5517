"""Organisations: the customer is an organisation — it owns the wallet, the
plan and subscription, the Stripe customer, the API keys, usage, ledger,
alerts and automatic top-up (all on its account item, whose id the keys
carry). Every user's personal organisation is their own account (same id,
nothing to migrate); team organisations are accounts with a name and
members. This package says which organisation a request acts for and with
what role (`access`, `roles`), creates, lists and deletes team
organisations (`directory`), changes their members (`members`) and invites
people (`invitations`). It stands above `accounts` (a user's personal
account) and `keys` (a removed member's keys go with them), below the
operators' console and the HTTP edge. docs/organisations.md has the rules."""
from chalicelib import billing, notices
from chalicelib.platform import once


@once
def org_directory():
    from chalicelib.orgs.directory import Directory  # pynamodb: off the cold start of other routes
    return Directory(billing.customer_billing)


@once
def org_members():
    from chalicelib.orgs.members import Members  # pynamodb: off the cold start of other routes
    return Members()


@once
def org_invitations():
    from chalicelib.orgs.invitations import Invitations  # pynamodb: off the cold start of other routes
    return Invitations(notices.mailer)


def acting(identity, personal_account, org_id, right):
    """The organisation the request acts for (see `access.resolve`)."""
    from chalicelib.orgs import access  # pynamodb: off the cold start of the metered routes
    return access.resolve(identity, personal_account, org_id, right)


def key_creator_guard(found):
    """For `keys.create` in a team organisation: the creator is still a
    member with the right to make keys when the key is written (a removal
    racing the creation cannot leave the removed member a working key)."""
    if found.personal:
        return None
    from chalicelib.orgs import access, roles  # pynamodb: off the cold start of the metered routes
    from chalicelib.platform.models import Membership
    return (Membership, found.org_id, access.member_key(found.user_id),
            Membership.role.is_in(*roles.WITH_KEYS), access.not_found())
