from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.summary_subscriptions_by_status import SummarySubscriptionsByStatus


T = TypeVar("T", bound="SummarySubscriptions")


@_attrs_define
class SummarySubscriptions:
    """
    Attributes:
        active (int):
        past_due (int):
        by_status (SummarySubscriptionsByStatus):
    """

    active: int
    past_due: int
    by_status: SummarySubscriptionsByStatus
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        past_due = self.past_due

        by_status = self.by_status.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "past_due": past_due,
                "by_status": by_status,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_subscriptions_by_status import (
            SummarySubscriptionsByStatus,  # noqa: PLC0415
        )

        d = dict(src_dict)
        active = d.pop("active")

        past_due = d.pop("past_due")

        by_status = SummarySubscriptionsByStatus.from_dict(d.pop("by_status"))

        summary_subscriptions = cls(
            active=active,
            past_due=past_due,
            by_status=by_status,
        )

        summary_subscriptions.additional_properties = d
        return summary_subscriptions

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
