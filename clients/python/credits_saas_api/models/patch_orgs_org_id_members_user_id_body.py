from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.patch_orgs_org_id_members_user_id_body_role import (
    PatchOrgsOrgIdMembersUserIdBodyRole,
)

T = TypeVar("T", bound="PatchOrgsOrgIdMembersUserIdBody")


@_attrs_define
class PatchOrgsOrgIdMembersUserIdBody:
    """
    Attributes:
        role (PatchOrgsOrgIdMembersUserIdBodyRole):
    """

    role: PatchOrgsOrgIdMembersUserIdBodyRole

    def to_dict(self) -> dict[str, Any]:
        role = self.role.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "role": role,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        role = PatchOrgsOrgIdMembersUserIdBodyRole(d.pop("role"))

        patch_orgs_org_id_members_user_id_body = cls(
            role=role,
        )

        return patch_orgs_org_id_members_user_id_body
