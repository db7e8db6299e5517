from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.invoice_status import InvoiceStatus

T = TypeVar("T", bound="Invoice")


@_attrs_define
class Invoice:
    """
    Attributes:
        id (str):
        number (None | str):
        created (str): ISO-8601 UTC
        description (None | str):
        total (int): In the currency's minor unit (pence), as Stripe gives it.
        tax (int): The VAT included in `total`, in the minor unit.
        currency (str):
        status (InvoiceStatus):
        hosted_url (None | str):
        pdf_url (None | str):
    """

    id: str
    number: None | str
    created: str
    description: None | str
    total: int
    tax: int
    currency: str
    status: InvoiceStatus
    hosted_url: None | str
    pdf_url: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        number: None | str
        number = self.number

        created = self.created

        description: None | str
        description = self.description

        total = self.total

        tax = self.tax

        currency = self.currency

        status = self.status.value

        hosted_url: None | str
        hosted_url = self.hosted_url

        pdf_url: None | str
        pdf_url = self.pdf_url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "number": number,
                "created": created,
                "description": description,
                "total": total,
                "tax": tax,
                "currency": currency,
                "status": status,
                "hosted_url": hosted_url,
                "pdf_url": pdf_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        def _parse_number(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        number = _parse_number(d.pop("number"))

        created = d.pop("created")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        total = d.pop("total")

        tax = d.pop("tax")

        currency = d.pop("currency")

        status = InvoiceStatus(d.pop("status"))

        def _parse_hosted_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        hosted_url = _parse_hosted_url(d.pop("hosted_url"))

        def _parse_pdf_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        pdf_url = _parse_pdf_url(d.pop("pdf_url"))

        invoice = cls(
            id=id,
            number=number,
            created=created,
            description=description,
            total=total,
            tax=tax,
            currency=currency,
            status=status,
            hosted_url=hosted_url,
            pdf_url=pdf_url,
        )

        invoice.additional_properties = d
        return invoice

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
