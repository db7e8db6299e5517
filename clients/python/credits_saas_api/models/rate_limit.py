from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.rate_limit_per import RateLimitPer

T = TypeVar("T", bound="RateLimit")


@_attrs_define
class RateLimit:
    """
    Attributes:
        requests (int):
        per (RateLimitPer):
    """

    requests: int
    per: RateLimitPer

    def to_dict(self) -> dict[str, Any]:
        requests = self.requests

        per = self.per.value

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "requests": requests,
                "per": per,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        requests = d.pop("requests")

        per = RateLimitPer(d.pop("per"))

        rate_limit = cls(
            requests=requests,
            per=per,
        )

        return rate_limit
