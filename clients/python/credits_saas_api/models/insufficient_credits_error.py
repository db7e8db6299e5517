from __future__ import annotations

from collections.abc import Mapping
from typing import (
    Any,
    Literal,
    TypeVar,
    cast,
)

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="InsufficientCreditsError")


@_attrs_define
class InsufficientCreditsError:
    """
    Attributes:
        code (Literal['insufficient_credits']):
        message (str):
        required (int):
        remaining (int): Below zero when the account owes credits (a refund or dispute took back credits already spent).
    """

    code: Literal["insufficient_credits"]
    message: str
    required: int
    remaining: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        required = self.required

        remaining = self.remaining

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "required": required,
                "remaining": remaining,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = cast(Literal["insufficient_credits"], d.pop("code"))
        if code != "insufficient_credits":
            raise ValueError(
                f"code must match const 'insufficient_credits', got '{code}'"
            )

        message = d.pop("message")

        required = d.pop("required")

        remaining = d.pop("remaining")

        insufficient_credits_error = cls(
            code=code,
            message=message,
            required=required,
            remaining=remaining,
        )

        insufficient_credits_error.additional_properties = d
        return insufficient_credits_error

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
