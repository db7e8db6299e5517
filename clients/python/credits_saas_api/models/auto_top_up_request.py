from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.auto_top_up_request_pack import AutoTopUpRequestPack

T = TypeVar("T", bound="AutoTopUpRequest")


@_attrs_define
class AutoTopUpRequest:
    """
    Attributes:
        enabled (bool):
        threshold (int):
        pack (AutoTopUpRequestPack):
        monthly_limit (int):
    """

    enabled: bool
    threshold: int
    pack: AutoTopUpRequestPack
    monthly_limit: int

    def to_dict(self) -> dict[str, Any]:
        enabled = self.enabled

        threshold = self.threshold

        pack = self.pack.value

        monthly_limit = self.monthly_limit

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "enabled": enabled,
                "threshold": threshold,
                "pack": pack,
                "monthly_limit": monthly_limit,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        enabled = d.pop("enabled")

        threshold = d.pop("threshold")

        pack = AutoTopUpRequestPack(d.pop("pack"))

        monthly_limit = d.pop("monthly_limit")

        auto_top_up_request = cls(
            enabled=enabled,
            threshold=threshold,
            pack=pack,
            monthly_limit=monthly_limit,
        )

        return auto_top_up_request
