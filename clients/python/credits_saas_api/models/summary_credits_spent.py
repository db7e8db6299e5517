from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SummaryCreditsSpent")


@_attrs_define
class SummaryCreditsSpent:
    """
    Attributes:
        today (int):
        yesterday (int):
        last_30_days (int):
    """

    today: int
    yesterday: int
    last_30_days: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        today = self.today

        yesterday = self.yesterday

        last_30_days = self.last_30_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "today": today,
                "yesterday": yesterday,
                "last_30_days": last_30_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        today = d.pop("today")

        yesterday = d.pop("yesterday")

        last_30_days = d.pop("last_30_days")

        summary_credits_spent = cls(
            today=today,
            yesterday=yesterday,
            last_30_days=last_30_days,
        )

        summary_credits_spent.additional_properties = d
        return summary_credits_spent

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
