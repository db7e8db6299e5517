from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.plan_prices_additional_property_tax_behavior_type_0 import (
    PlanPricesAdditionalPropertyTaxBehaviorType0,
)

T = TypeVar("T", bound="PlanPricesAdditionalProperty")


@_attrs_define
class PlanPricesAdditionalProperty:
    """
    Attributes:
        amount (int | None):
        currency (None | str):
        lookup_key (None | str):
        tax_behavior (None | PlanPricesAdditionalPropertyTaxBehaviorType0):
    """

    amount: int | None
    currency: None | str
    lookup_key: None | str
    tax_behavior: None | PlanPricesAdditionalPropertyTaxBehaviorType0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount: int | None
        amount = self.amount

        currency: None | str
        currency = self.currency

        lookup_key: None | str
        lookup_key = self.lookup_key

        tax_behavior: None | str
        if isinstance(self.tax_behavior, PlanPricesAdditionalPropertyTaxBehaviorType0):
            tax_behavior = self.tax_behavior.value
        else:
            tax_behavior = self.tax_behavior

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount": amount,
                "currency": currency,
                "lookup_key": lookup_key,
                "tax_behavior": tax_behavior,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        amount = _parse_amount(d.pop("amount"))

        def _parse_currency(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        currency = _parse_currency(d.pop("currency"))

        def _parse_lookup_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lookup_key = _parse_lookup_key(d.pop("lookup_key"))

        def _parse_tax_behavior(
            data: object,
        ) -> None | PlanPricesAdditionalPropertyTaxBehaviorType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tax_behavior_type_0 = PlanPricesAdditionalPropertyTaxBehaviorType0(data)

                return tax_behavior_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PlanPricesAdditionalPropertyTaxBehaviorType0, data)

        tax_behavior = _parse_tax_behavior(d.pop("tax_behavior"))

        plan_prices_additional_property = cls(
            amount=amount,
            currency=currency,
            lookup_key=lookup_key,
            tax_behavior=tax_behavior,
        )

        plan_prices_additional_property.additional_properties = d
        return plan_prices_additional_property

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
