from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SummaryDailyItem")


@_attrs_define
class SummaryDailyItem:
    """
    Attributes:
        date (str):
        signups (int):
        credits_spent (int):
    """

    date: str
    signups: int
    credits_spent: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        date = self.date

        signups = self.signups

        credits_spent = self.credits_spent

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "date": date,
                "signups": signups,
                "credits_spent": credits_spent,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        date = d.pop("date")

        signups = d.pop("signups")

        credits_spent = d.pop("credits_spent")

        summary_daily_item = cls(
            date=date,
            signups=signups,
            credits_spent=credits_spent,
        )

        summary_daily_item.additional_properties = d
        return summary_daily_item

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
