from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PostOrgsBody")


@_attrs_define
class PostOrgsBody:
    """
    Attributes:
        name (str): 1-64 characters, at least one not a space; no control, format or private-use characters; runs of
            spaces are stored as one.
    """

    name: str

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        name = d.pop("name")

        post_orgs_body = cls(
            name=name,
        )

        return post_orgs_body
