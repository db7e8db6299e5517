from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AdjustmentBalances")


@_attrs_define
class AdjustmentBalances:
    """
    Attributes:
        credits_ (int):
        plan_credits (int):
        purchased_credits (int):
        owed_credits (int):
    """

    credits_: int
    plan_credits: int
    purchased_credits: int
    owed_credits: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        plan_credits = self.plan_credits

        purchased_credits = self.purchased_credits

        owed_credits = self.owed_credits

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "credits": credits_,
                "plan_credits": plan_credits,
                "purchased_credits": purchased_credits,
                "owed_credits": owed_credits,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        credits_ = d.pop("credits")

        plan_credits = d.pop("plan_credits")

        purchased_credits = d.pop("purchased_credits")

        owed_credits = d.pop("owed_credits")

        adjustment_balances = cls(
            credits_=credits_,
            plan_credits=plan_credits,
            purchased_credits=purchased_credits,
            owed_credits=owed_credits,
        )

        adjustment_balances.additional_properties = d
        return adjustment_balances

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
