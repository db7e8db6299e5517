from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.api_key import ApiKey
    from ..models.data_export_notifications import DataExportNotifications
    from ..models.data_export_profile import DataExportProfile
    from ..models.data_export_usage_item import DataExportUsageItem
    from ..models.invoice import Invoice
    from ..models.ledger_entry import LedgerEntry
    from ..models.org import Org


T = TypeVar("T", bound="DataExport")


@_attrs_define
class DataExport:
    """
    Attributes:
        exported_at (str): ISO-8601 UTC
        profile (DataExportProfile):
        organisations (list[Org]):
        api_keys (list[ApiKey]):
        ledger (list[LedgerEntry]):
        usage (list[DataExportUsageItem]):
        invoices (list[Invoice]):
        notifications (DataExportNotifications):
    """

    exported_at: str
    profile: DataExportProfile
    organisations: list[Org]
    api_keys: list[ApiKey]
    ledger: list[LedgerEntry]
    usage: list[DataExportUsageItem]
    invoices: list[Invoice]
    notifications: DataExportNotifications
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        exported_at = self.exported_at

        profile = self.profile.to_dict()

        organisations = []
        for organisations_item_data in self.organisations:
            organisations_item = organisations_item_data.to_dict()
            organisations.append(organisations_item)

        api_keys = []
        for api_keys_item_data in self.api_keys:
            api_keys_item = api_keys_item_data.to_dict()
            api_keys.append(api_keys_item)

        ledger = []
        for ledger_item_data in self.ledger:
            ledger_item = ledger_item_data.to_dict()
            ledger.append(ledger_item)

        usage = []
        for usage_item_data in self.usage:
            usage_item = usage_item_data.to_dict()
            usage.append(usage_item)

        invoices = []
        for invoices_item_data in self.invoices:
            invoices_item = invoices_item_data.to_dict()
            invoices.append(invoices_item)

        notifications = self.notifications.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "exported_at": exported_at,
                "profile": profile,
                "organisations": organisations,
                "api_keys": api_keys,
                "ledger": ledger,
                "usage": usage,
                "invoices": invoices,
                "notifications": notifications,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.api_key import ApiKey  # noqa: PLC0415
        from ..models.data_export_notifications import DataExportNotifications  # noqa: PLC0415
        from ..models.data_export_profile import DataExportProfile  # noqa: PLC0415
        from ..models.data_export_usage_item import DataExportUsageItem  # noqa: PLC0415
        from ..models.invoice import Invoice  # noqa: PLC0415
        from ..models.ledger_entry import LedgerEntry  # noqa: PLC0415
        from ..models.org import Org  # noqa: PLC0415

        d = dict(src_dict)
        exported_at = d.pop("exported_at")

        profile = DataExportProfile.from_dict(d.pop("profile"))

        organisations = []
        _organisations = d.pop("organisations")
        for organisations_item_data in _organisations:
            organisations_item = Org.from_dict(organisations_item_data)

            organisations.append(organisations_item)

        api_keys = []
        _api_keys = d.pop("api_keys")
        for api_keys_item_data in _api_keys:
            api_keys_item = ApiKey.from_dict(api_keys_item_data)

            api_keys.append(api_keys_item)

        ledger = []
        _ledger = d.pop("ledger")
        for ledger_item_data in _ledger:
            ledger_item = LedgerEntry.from_dict(ledger_item_data)

            ledger.append(ledger_item)

        usage = []
        _usage = d.pop("usage")
        for usage_item_data in _usage:
            usage_item = DataExportUsageItem.from_dict(usage_item_data)

            usage.append(usage_item)

        invoices = []
        _invoices = d.pop("invoices")
        for invoices_item_data in _invoices:
            invoices_item = Invoice.from_dict(invoices_item_data)

            invoices.append(invoices_item)

        notifications = DataExportNotifications.from_dict(d.pop("notifications"))

        data_export = cls(
            exported_at=exported_at,
            profile=profile,
            organisations=organisations,
            api_keys=api_keys,
            ledger=ledger,
            usage=usage,
            invoices=invoices,
            notifications=notifications,
        )

        data_export.additional_properties = d
        return data_export

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
