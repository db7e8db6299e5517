from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.post_orgs_org_id_invitations_body_role import (
    PostOrgsOrgIdInvitationsBodyRole,
)

T = TypeVar("T", bound="PostOrgsOrgIdInvitationsBody")


@_attrs_define
class PostOrgsOrgIdInvitationsBody:
    """
    Attributes:
        email (str):
        role (PostOrgsOrgIdInvitationsBodyRole):
    """

    email: str
    role: PostOrgsOrgIdInvitationsBodyRole

    def to_dict(self) -> dict[str, Any]:
        email = self.email

        role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "email": email,
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        role = PostOrgsOrgIdInvitationsBodyRole(d.pop("role"))

        post_orgs_org_id_invitations_body = cls(
            email=email,
            role=role,
        )

        return post_orgs_org_id_invitations_body
