from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.delete_user_response_202_deletion import DeleteUserResponse202Deletion


T = TypeVar("T", bound="DeleteUserResponse202")


@_attrs_define
class DeleteUserResponse202:
    """
    Attributes:
        deletion (DeleteUserResponse202Deletion):
    """

    deletion: DeleteUserResponse202Deletion
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        deletion = self.deletion.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "deletion": deletion,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.delete_user_response_202_deletion import (
            DeleteUserResponse202Deletion,  # noqa: PLC0415
        )

        d = dict(src_dict)
        deletion = DeleteUserResponse202Deletion.from_dict(d.pop("deletion"))

        delete_user_response_202 = cls(
            deletion=deletion,
        )

        delete_user_response_202.additional_properties = d
        return delete_user_response_202

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
