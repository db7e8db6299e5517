"""Contains all the data models used in inputs/outputs"""

from .account_search_page import AccountSearchPage
from .account_search_page_accounts_item import AccountSearchPageAccountsItem
from .account_search_page_accounts_item_member_of_item import (
    AccountSearchPageAccountsItemMemberOfItem,
)
from .adjustment import Adjustment
from .adjustment_balances import AdjustmentBalances
from .admin_account import AdminAccount
from .admin_account_organisation import AdminAccountOrganisation
from .admin_account_organisation_invitations_item import (
    AdminAccountOrganisationInvitationsItem,
)
from .admin_account_organisation_member_of_item import (
    AdminAccountOrganisationMemberOfItem,
)
from .admin_account_usage_item import AdminAccountUsageItem
from .alerts import Alerts
from .alerts_request import AlertsRequest
from .api_key import ApiKey
from .api_key_changes import ApiKeyChanges
from .audit_record import AuditRecord
from .audit_record_action import AuditRecordAction
from .audit_record_details import AuditRecordDetails
from .auto_top_up import AutoTopUp
from .auto_top_up_last_attempt_type_0 import AutoTopUpLastAttemptType0
from .auto_top_up_pack import AutoTopUpPack
from .auto_top_up_payment_method_type_0 import AutoTopUpPaymentMethodType0
from .auto_top_up_request import AutoTopUpRequest
from .auto_top_up_request_pack import AutoTopUpRequestPack
from .auto_top_up_status import AutoTopUpStatus
from .credits_ import Credits
from .data_export import DataExport
from .data_export_notifications import DataExportNotifications
from .data_export_profile import DataExportProfile
from .data_export_usage_item import DataExportUsageItem
from .delete_user_body import DeleteUserBody
from .delete_user_response_202 import DeleteUserResponse202
from .delete_user_response_202_deletion import DeleteUserResponse202Deletion
from .error import Error
from .error_error import ErrorError
from .error_error_code import ErrorErrorCode
from .get_admin_accounts_account_id_response_200 import (
    GetAdminAccountsAccountIdResponse200,
)
from .get_admin_audit_response_200 import GetAdminAuditResponse200
from .get_admin_summary_response_200 import GetAdminSummaryResponse200
from .get_keys_response_200 import GetKeysResponse200
from .get_openapi_json_response_200 import GetOpenapiJsonResponse200
from .get_orgs_org_id_invitations_response_200 import GetOrgsOrgIdInvitationsResponse200
from .get_orgs_org_id_members_response_200 import GetOrgsOrgIdMembersResponse200
from .get_orgs_response_200 import GetOrgsResponse200
from .get_plans_response_200 import GetPlansResponse200
from .get_usage_response_200 import GetUsageResponse200
from .get_usage_response_200_usage_item import GetUsageResponse200UsageItem
from .get_user_response_200 import GetUserResponse200
from .insufficient_credits import InsufficientCredits
from .insufficient_credits_error import InsufficientCreditsError
from .invitation import Invitation
from .invitation_role import InvitationRole
from .invoice import Invoice
from .invoice_page import InvoicePage
from .invoice_status import InvoiceStatus
from .ledger_entry import LedgerEntry
from .ledger_page import LedgerPage
from .member import Member
from .member_role import MemberRole
from .new_api_key import NewApiKey
from .new_api_key_request import NewApiKeyRequest
from .notifications import Notifications
from .org import Org
from .org_role import OrgRole
from .patch_orgs_org_id_members_user_id_body import PatchOrgsOrgIdMembersUserIdBody
from .patch_orgs_org_id_members_user_id_body_role import (
    PatchOrgsOrgIdMembersUserIdBodyRole,
)
from .patch_orgs_org_id_members_user_id_response_200 import (
    PatchOrgsOrgIdMembersUserIdResponse200,
)
from .plan import Plan
from .plan_prices import PlanPrices
from .plan_prices_additional_property import PlanPricesAdditionalProperty
from .plan_prices_additional_property_tax_behavior_type_0 import (
    PlanPricesAdditionalPropertyTaxBehaviorType0,
)
from .post_admin_accounts_account_id_credits_body import (
    PostAdminAccountsAccountIdCreditsBody,
)
from .post_admin_accounts_account_id_credits_body_bucket import (
    PostAdminAccountsAccountIdCreditsBodyBucket,
)
from .post_admin_accounts_account_id_revoke_key_body import (
    PostAdminAccountsAccountIdRevokeKeyBody,
)
from .post_admin_accounts_account_id_revoke_key_response_200 import (
    PostAdminAccountsAccountIdRevokeKeyResponse200,
)
from .post_admin_accounts_account_id_suspend_body import (
    PostAdminAccountsAccountIdSuspendBody,
)
from .post_admin_accounts_account_id_suspend_response_200 import (
    PostAdminAccountsAccountIdSuspendResponse200,
)
from .post_admin_accounts_account_id_unsuspend_body import (
    PostAdminAccountsAccountIdUnsuspendBody,
)
from .post_admin_accounts_account_id_unsuspend_response_200 import (
    PostAdminAccountsAccountIdUnsuspendResponse200,
)
from .post_billing_portal_response_200 import PostBillingPortalResponse200
from .post_cancel_plan_change_response_200 import PostCancelPlanChangeResponse200
from .post_change_plan_body import PostChangePlanBody
from .post_change_plan_body_plan import PostChangePlanBodyPlan
from .post_change_plan_response_200 import PostChangePlanResponse200
from .post_checkout_body import PostCheckoutBody
from .post_checkout_body_plan import PostCheckoutBodyPlan
from .post_checkout_response_200 import PostCheckoutResponse200
from .post_generate_key_response_200 import PostGenerateKeyResponse200
from .post_invitations_accept_body import PostInvitationsAcceptBody
from .post_invitations_accept_response_200 import PostInvitationsAcceptResponse200
from .post_orgs_body import PostOrgsBody
from .post_orgs_org_id_invitations_body import PostOrgsOrgIdInvitationsBody
from .post_orgs_org_id_invitations_body_role import PostOrgsOrgIdInvitationsBodyRole
from .post_orgs_org_id_invitations_response_201 import (
    PostOrgsOrgIdInvitationsResponse201,
)
from .post_orgs_org_id_transfer_body import PostOrgsOrgIdTransferBody
from .post_orgs_org_id_transfer_response_200 import PostOrgsOrgIdTransferResponse200
from .post_orgs_response_201 import PostOrgsResponse201
from .post_payment_method_response_200 import PostPaymentMethodResponse200
from .post_stop_subscriptions_response_200 import PostStopSubscriptionsResponse200
from .post_stripe_webhook_body import PostStripeWebhookBody
from .post_stripe_webhook_body_data import PostStripeWebhookBodyData
from .post_stripe_webhook_body_data_object import PostStripeWebhookBodyDataObject
from .post_stripe_webhook_response_200 import PostStripeWebhookResponse200
from .post_test_body import PostTestBody
from .post_test_heavy_body import PostTestHeavyBody
from .rate_limit import RateLimit
from .rate_limit_per import RateLimitPer
from .removal import Removal
from .subscription import Subscription
from .subscription_scheduled_change_type_0 import SubscriptionScheduledChangeType0
from .summary import Summary
from .summary_accounts_by_plan import SummaryAccountsByPlan
from .summary_credits_spent import SummaryCreditsSpent
from .summary_daily_item import SummaryDailyItem
from .summary_last_30_days import SummaryLast30Days
from .summary_last_30_days_adjustments import SummaryLast30DaysAdjustments
from .summary_last_30_days_given_back import SummaryLast30DaysGivenBack
from .summary_last_30_days_purchases import SummaryLast30DaysPurchases
from .summary_last_30_days_refunds import SummaryLast30DaysRefunds
from .summary_mrr_item import SummaryMrrItem
from .summary_subscriptions import SummarySubscriptions
from .summary_subscriptions_by_status import SummarySubscriptionsByStatus
from .suspension import Suspension
from .tax import Tax
from .tax_behavior_type_0 import TaxBehaviorType0
from .user import User

__all__ = (
    "AccountSearchPage",
    "AccountSearchPageAccountsItem",
    "AccountSearchPageAccountsItemMemberOfItem",
    "Adjustment",
    "AdjustmentBalances",
    "AdminAccount",
    "AdminAccountOrganisation",
    "AdminAccountOrganisationInvitationsItem",
    "AdminAccountOrganisationMemberOfItem",
    "AdminAccountUsageItem",
    "Alerts",
    "AlertsRequest",
    "ApiKey",
    "ApiKeyChanges",
    "AuditRecord",
    "AuditRecordAction",
    "AuditRecordDetails",
    "AutoTopUp",
    "AutoTopUpLastAttemptType0",
    "AutoTopUpPack",
    "AutoTopUpPaymentMethodType0",
    "AutoTopUpRequest",
    "AutoTopUpRequestPack",
    "AutoTopUpStatus",
    "Credits",
    "DataExport",
    "DataExportNotifications",
    "DataExportProfile",
    "DataExportUsageItem",
    "DeleteUserBody",
    "DeleteUserResponse202",
    "DeleteUserResponse202Deletion",
    "Error",
    "ErrorError",
    "ErrorErrorCode",
    "GetAdminAccountsAccountIdResponse200",
    "GetAdminAuditResponse200",
    "GetAdminSummaryResponse200",
    "GetKeysResponse200",
    "GetOpenapiJsonResponse200",
    "GetOrgsOrgIdInvitationsResponse200",
    "GetOrgsOrgIdMembersResponse200",
    "GetOrgsResponse200",
    "GetPlansResponse200",
    "GetUsageResponse200",
    "GetUsageResponse200UsageItem",
    "GetUserResponse200",
    "InsufficientCredits",
    "InsufficientCreditsError",
    "Invitation",
    "InvitationRole",
    "Invoice",
    "InvoicePage",
    "InvoiceStatus",
    "LedgerEntry",
    "LedgerPage",
    "Member",
    "MemberRole",
    "NewApiKey",
    "NewApiKeyRequest",
    "Notifications",
    "Org",
    "OrgRole",
    "PatchOrgsOrgIdMembersUserIdBody",
    "PatchOrgsOrgIdMembersUserIdBodyRole",
    "PatchOrgsOrgIdMembersUserIdResponse200",
    "Plan",
    "PlanPrices",
    "PlanPricesAdditionalProperty",
    "PlanPricesAdditionalPropertyTaxBehaviorType0",
    "PostAdminAccountsAccountIdCreditsBody",
    "PostAdminAccountsAccountIdCreditsBodyBucket",
    "PostAdminAccountsAccountIdRevokeKeyBody",
    "PostAdminAccountsAccountIdRevokeKeyResponse200",
    "PostAdminAccountsAccountIdSuspendBody",
    "PostAdminAccountsAccountIdSuspendResponse200",
    "PostAdminAccountsAccountIdUnsuspendBody",
    "PostAdminAccountsAccountIdUnsuspendResponse200",
    "PostBillingPortalResponse200",
    "PostCancelPlanChangeResponse200",
    "PostChangePlanBody",
    "PostChangePlanBodyPlan",
    "PostChangePlanResponse200",
    "PostCheckoutBody",
    "PostCheckoutBodyPlan",
    "PostCheckoutResponse200",
    "PostGenerateKeyResponse200",
    "PostInvitationsAcceptBody",
    "PostInvitationsAcceptResponse200",
    "PostOrgsBody",
    "PostOrgsOrgIdInvitationsBody",
    "PostOrgsOrgIdInvitationsBodyRole",
    "PostOrgsOrgIdInvitationsResponse201",
    "PostOrgsOrgIdTransferBody",
    "PostOrgsOrgIdTransferResponse200",
    "PostOrgsResponse201",
    "PostPaymentMethodResponse200",
    "PostStopSubscriptionsResponse200",
    "PostStripeWebhookBody",
    "PostStripeWebhookBodyData",
    "PostStripeWebhookBodyDataObject",
    "PostStripeWebhookResponse200",
    "PostTestBody",
    "PostTestHeavyBody",
    "RateLimit",
    "RateLimitPer",
    "Removal",
    "Subscription",
    "SubscriptionScheduledChangeType0",
    "Summary",
    "SummaryAccountsByPlan",
    "SummaryCreditsSpent",
    "SummaryDailyItem",
    "SummaryLast30Days",
    "SummaryLast30DaysAdjustments",
    "SummaryLast30DaysGivenBack",
    "SummaryLast30DaysPurchases",
    "SummaryLast30DaysRefunds",
    "SummaryMrrItem",
    "SummarySubscriptions",
    "SummarySubscriptionsByStatus",
    "Suspension",
    "Tax",
    "TaxBehaviorType0",
    "User",
)
