from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.summary_last_30_days_adjustments import SummaryLast30DaysAdjustments
    from ..models.summary_last_30_days_given_back import SummaryLast30DaysGivenBack
    from ..models.summary_last_30_days_purchases import SummaryLast30DaysPurchases
    from ..models.summary_last_30_days_refunds import SummaryLast30DaysRefunds


T = TypeVar("T", bound="SummaryLast30Days")


@_attrs_define
class SummaryLast30Days:
    """
    Attributes:
        purchases (SummaryLast30DaysPurchases):
        refunds (SummaryLast30DaysRefunds):
        given_back (SummaryLast30DaysGivenBack):
        adjustments (SummaryLast30DaysAdjustments):
    """

    purchases: SummaryLast30DaysPurchases
    refunds: SummaryLast30DaysRefunds
    given_back: SummaryLast30DaysGivenBack
    adjustments: SummaryLast30DaysAdjustments
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        purchases = self.purchases.to_dict()

        refunds = self.refunds.to_dict()

        given_back = self.given_back.to_dict()

        adjustments = self.adjustments.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "purchases": purchases,
                "refunds": refunds,
                "given_back": given_back,
                "adjustments": adjustments,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_last_30_days_adjustments import (
            SummaryLast30DaysAdjustments,  # noqa: PLC0415
        )
        from ..models.summary_last_30_days_given_back import SummaryLast30DaysGivenBack  # noqa: PLC0415
        from ..models.summary_last_30_days_purchases import SummaryLast30DaysPurchases  # noqa: PLC0415
        from ..models.summary_last_30_days_refunds import SummaryLast30DaysRefunds  # noqa: PLC0415

        d = dict(src_dict)
        purchases = SummaryLast30DaysPurchases.from_dict(d.pop("purchases"))

        refunds = SummaryLast30DaysRefunds.from_dict(d.pop("refunds"))

        given_back = SummaryLast30DaysGivenBack.from_dict(d.pop("given_back"))

        adjustments = SummaryLast30DaysAdjustments.from_dict(d.pop("adjustments"))

        summary_last_30_days = cls(
            purchases=purchases,
            refunds=refunds,
            given_back=given_back,
            adjustments=adjustments,
        )

        summary_last_30_days.additional_properties = d
        return summary_last_30_days

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
