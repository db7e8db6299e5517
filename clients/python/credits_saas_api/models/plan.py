from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.plan_prices import PlanPrices


T = TypeVar("T", bound="Plan")


@_attrs_define
class Plan:
    """
    Attributes:
        name (str):
        credits_ (int):
        interval (str):
        prices (PlanPrices):
    """

    name: str
    credits_: int
    interval: str
    prices: PlanPrices
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        credits_ = self.credits_

        interval = self.interval

        prices = self.prices.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "credits": credits_,
                "interval": interval,
                "prices": prices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.plan_prices import PlanPrices  # noqa: PLC0415

        d = dict(src_dict)
        name = d.pop("name")

        credits_ = d.pop("credits")

        interval = d.pop("interval")

        prices = PlanPrices.from_dict(d.pop("prices"))

        plan = cls(
            name=name,
            credits_=credits_,
            interval=interval,
            prices=prices,
        )

        plan.additional_properties = d
        return plan

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
