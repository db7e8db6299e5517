from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.admin_account_organisation_invitations_item import (
        AdminAccountOrganisationInvitationsItem,
    )
    from ..models.admin_account_organisation_member_of_item import (
        AdminAccountOrganisationMemberOfItem,
    )
    from ..models.member import Member


T = TypeVar("T", bound="AdminAccountOrganisation")


@_attrs_define
class AdminAccountOrganisation:
    """A team organisation's members and pending invitations; for a person, the team organisations they are a member of.

    Attributes:
        personal (bool):
        name (str | Unset):
        closed_at (None | str | Unset):
        members (list[Member] | Unset):
        invitations (list[AdminAccountOrganisationInvitationsItem] | Unset):
        member_of (list[AdminAccountOrganisationMemberOfItem] | Unset):
    """

    personal: bool
    name: str | Unset = UNSET
    closed_at: None | str | Unset = UNSET
    members: list[Member] | Unset = UNSET
    invitations: list[AdminAccountOrganisationInvitationsItem] | Unset = UNSET
    member_of: list[AdminAccountOrganisationMemberOfItem] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        personal = self.personal

        name = self.name

        closed_at: None | str | Unset
        if isinstance(self.closed_at, Unset):
            closed_at = UNSET
        else:
            closed_at = self.closed_at

        members: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.members, Unset):
            members = []
            for members_item_data in self.members:
                members_item = members_item_data.to_dict()
                members.append(members_item)

        invitations: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.invitations, Unset):
            invitations = []
            for invitations_item_data in self.invitations:
                invitations_item = invitations_item_data.to_dict()
                invitations.append(invitations_item)

        member_of: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.member_of, Unset):
            member_of = []
            for member_of_item_data in self.member_of:
                member_of_item = member_of_item_data.to_dict()
                member_of.append(member_of_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "personal": personal,
            }
        )
        if name is not UNSET:
            field_dict["name"] = name
        if closed_at is not UNSET:
            field_dict["closed_at"] = closed_at
        if members is not UNSET:
            field_dict["members"] = members
        if invitations is not UNSET:
            field_dict["invitations"] = invitations
        if member_of is not UNSET:
            field_dict["member_of"] = member_of

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.admin_account_organisation_invitations_item import (
            AdminAccountOrganisationInvitationsItem,  # noqa: PLC0415
        )
        from ..models.admin_account_organisation_member_of_item import (
            AdminAccountOrganisationMemberOfItem,  # noqa: PLC0415
        )
        from ..models.member import Member  # noqa: PLC0415

        d = dict(src_dict)
        personal = d.pop("personal")

        name = d.pop("name", UNSET)

        def _parse_closed_at(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        closed_at = _parse_closed_at(d.pop("closed_at", UNSET))

        _members = d.pop("members", UNSET)
        members: list[Member] | Unset = UNSET
        if _members is not UNSET:
            members = []
            for members_item_data in _members:
                members_item = Member.from_dict(members_item_data)

                members.append(members_item)

        _invitations = d.pop("invitations", UNSET)
        invitations: list[AdminAccountOrganisationInvitationsItem] | Unset = UNSET
        if _invitations is not UNSET:
            invitations = []
            for invitations_item_data in _invitations:
                invitations_item = AdminAccountOrganisationInvitationsItem.from_dict(
                    invitations_item_data
                )

                invitations.append(invitations_item)

        _member_of = d.pop("member_of", UNSET)
        member_of: list[AdminAccountOrganisationMemberOfItem] | Unset = UNSET
        if _member_of is not UNSET:
            member_of = []
            for member_of_item_data in _member_of:
                member_of_item = AdminAccountOrganisationMemberOfItem.from_dict(
                    member_of_item_data
                )

                member_of.append(member_of_item)

        admin_account_organisation = cls(
            personal=personal,
            name=name,
            closed_at=closed_at,
            members=members,
            invitations=invitations,
            member_of=member_of,
        )

        admin_account_organisation.additional_properties = d
        return admin_account_organisation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
