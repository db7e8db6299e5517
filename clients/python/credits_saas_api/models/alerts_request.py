from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="AlertsRequest")


@_attrs_define
class AlertsRequest:
    """
    Attributes:
        low_balance (int | None):
    """

    low_balance: int | None

    def to_dict(self) -> dict[str, Any]:
        low_balance: int | None
        low_balance = self.low_balance

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "low_balance": low_balance,
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

        alerts_request = cls(
            low_balance=low_balance,
        )

        return alerts_request
