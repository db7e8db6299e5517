from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="Notifications")


@_attrs_define
class Notifications:
    """
    Attributes:
        low_balance (bool): Balance alerts: low balance, credits used up.
        product_updates (bool): News about the product.
    """

    low_balance: bool
    product_updates: bool

    def to_dict(self) -> dict[str, Any]:
        low_balance = self.low_balance

        product_updates = self.product_updates

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "low_balance": low_balance,
                "product_updates": product_updates,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        low_balance = d.pop("low_balance")

        product_updates = d.pop("product_updates")

        notifications = cls(
            low_balance=low_balance,
            product_updates=product_updates,
        )

        return notifications
