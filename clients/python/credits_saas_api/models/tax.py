from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.tax_behavior_type_0 import TaxBehaviorType0

T = TypeVar("T", bound="Tax")


@_attrs_define
class Tax:
    """
    Attributes:
        enabled (bool):
        behavior (None | TaxBehaviorType0):
    """

    enabled: bool
    behavior: None | TaxBehaviorType0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        behavior: None | str
        if isinstance(self.behavior, TaxBehaviorType0):
            behavior = self.behavior.value
        else:
            behavior = self.behavior

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "behavior": behavior,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        def _parse_behavior(data: object) -> None | TaxBehaviorType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                behavior_type_0 = TaxBehaviorType0(data)

                return behavior_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TaxBehaviorType0, data)

        behavior = _parse_behavior(d.pop("behavior"))

        tax = cls(
            enabled=enabled,
            behavior=behavior,
        )

        tax.additional_properties = d
        return tax

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
