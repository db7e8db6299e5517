from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Alerts")


@_attrs_define
class Alerts:
    """
    Attributes:
        low_balance (int | None):
        default (int):
    """

    low_balance: int | None
    default: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        low_balance: int | None
        low_balance = self.low_balance

        default = self.default

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "low_balance": low_balance,
                "default": default,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_low_balance(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        low_balance = _parse_low_balance(d.pop("low_balance"))

        default = d.pop("default")

        alerts = cls(
            low_balance=low_balance,
            default=default,
        )

        alerts.additional_properties = d
        return alerts

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
