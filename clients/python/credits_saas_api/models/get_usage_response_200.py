from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.get_usage_response_200_usage_item import GetUsageResponse200UsageItem


T = TypeVar("T", bound="GetUsageResponse200")


@_attrs_define
class GetUsageResponse200:
    """
    Attributes:
        usage (list[GetUsageResponse200UsageItem]):
    """

    usage: list[GetUsageResponse200UsageItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        usage = []
        for usage_item_data in self.usage:
            usage_item = usage_item_data.to_dict()
            usage.append(usage_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "usage": usage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.get_usage_response_200_usage_item import (
            GetUsageResponse200UsageItem,  # noqa: PLC0415
        )

        d = dict(src_dict)
        usage = []
        _usage = d.pop("usage")
        for usage_item_data in _usage:
            usage_item = GetUsageResponse200UsageItem.from_dict(usage_item_data)

            usage.append(usage_item)

        get_usage_response_200 = cls(
            usage=usage,
        )

        get_usage_response_200.additional_properties = d
        return get_usage_response_200

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
