"""HTCDS 2.0 field names and code lists Beacon reads and writes (IOM's "HTCDS Field
Standards 2.0"; tests check every name and value here against the standard's own sheet)."""

from __future__ import annotations

# Every field of the standard (sections Organisation, Person, Victim context, Perpetrator
# context, Case, Referral details, Case comment, Historic trafficking events, Support
# plan, Consent), so a partner's field is recognised even where Beacon does not use it.
FIELDS = frozenset(
    [
        "org_Name",
        "org_ShippingCity",
        "org_ShippingCountry",
        "org_ShippingState",
        "org_ShippingStreet",
        "org_ShippingPostalCode",
        "org_ShippingLongitude",
        "org_ShippingLatitude",
        "org_Phone",
        "org_Type",
        "prs_Salutation",
        "prs_FirstName",
        "prs_MiddleName",
        "prs_SecondName",
        "prs_Birthdate",
        "prs_Gender",
        "prs_Deceased",
        "prs_MaritalStatus",
        "prs_NumberOfChildren",
        "prs_PrimaryLanguage",
        "prs_SecondaryLanguage",
        "prs_HighestLevelOfEducation",
        "prs_Citizenship",
        "prs_IdentityNumber",
        "prs_Title",
        "prs_Email",
        "prs_HomePhone",
        "prs_MobilePhone",
        "prs_MailingCity",
        "prs_MailingCountry",
        "prs_MailingState",
        "prs_MailingStreet",
        "prs_MailingPostalCode",
        "prs_MailingLongitude",
        "prs_MailingLatitude",
        "vic_TraffickingStatus",
        "vic_TraffickingStatusDecisionMakingOrg",
        "vic_RelationshipToTrafficker",
        "vic_AgeWhenTrafficked",
        "vic_RecruitmentWebsitesAndApps",
        "vic_MethodOfRecruitment",
        "vic_LocationOfRecruitment",
        "vic_MethodsOfControl",
        "vic_TypeOfExploitation",
        "vic_ForcedLabourIndustry",
        "vic_TypeOfSexExploitation",
        "vic_LocationOfExploitation",
        "vic_ExploitationWebsitesAndApps",
        "per_RoleInProcess",
        "per_RoleDetails",
        "per_Organisation",
        "cas_Status",
        "cas_ReasonForCaseClosure",
        "cas_CaseOwner",
        "cas_ReferringOrganisation",
        "cas_IncomingReferralDate",
        "cas_ReferringPrimaryCaseWorker",
        "cas_ReasonForIncomingReferral",
        "cas_IncomingReferralDetails",
        "cas_ReferredOrganisation",
        "cas_ReferredPrimaryCaseWorker",
        "cas_ReasonForOutgoingReferral",
        "cas_OutgoingReferralDate",
        "cas_OutgoingReferralDetails",
        "cco_CaseComment",
        "hte_Longitude",
        "hte_Latitude",
        "hte_City",
        "hte_Country",
        "hte_State",
        "hte_Street",
        "hte_PostalCode",
        "hte_Date",
        "hte_Type",
        "hte_Description",
        "spl_Objectives",
        "spl_ActionPlan",
        "spl_PlannedEndDate",
        "spl_ActualEndDate",
        "spl_Type",
        "con_Consent",
    ]
)
# Deprecated in 2.0 (Revision History): read, reported, never written.
DEPRECATED = {
    "vic_AgreementToManagePersonalData": "con_Consent",
    "vic_Vulnerabilities": "",
    "vic_DetailsOfVulnerabilities": "",
    "prs_Nationality": "prs_Citizenship",
}
# Names met in IOM's own Excel template that differ from the standard (a typo there).
TEMPLATE_ALIASES = {
    "vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg"
}

GENDERS = (
    "Feminine",
    "Masculine",
    "TransgenderFeminine",
    "TransgenderMasculine",
    "NonConforming",
    "NonSpecifiedUnknown",
)
GENDER_OF_SEX = {"F": "Feminine", "M": "Masculine", "U": "NonSpecifiedUnknown"}
TRAFFICKING_STATUSES = (
    "PossibleVictimOfTrafficking",
    "ActualVictimOfTrafficking",
    "NotAVictimOfTrafficking",
)
EXPLOITATION_TYPES = (
    "ForcedLabour",
    "SexualExploitation",
    "ChildLabour",
    "ForcedMarriage",
    "Servitude",
    "ForcedMilitaryByNonStateActors",
    "OrganRemoval",
    "ForcedBegging",
    "ForcedAdoption",
    "Surrogacy",
    "Other",
)
ORG_TYPES = (
    "NGO",
    "LawEnforcement",
    "HealthServiceOrganisation",
    "CentralGovernmentOrganisation",
    "LocalGovernmentOrganisation",
    "ImmigrationService",
    "LegalService",
    "CorporateBusiness",
    "SchoolOrCollege",
)
CASE_STATUSES = ("Active", "FollowUp", "Closed", "ClosedReferred")
REFERRAL_REASONS = ("AdditionalServicesRequired", "MigrationOrChangeOfLocation", "Other")
PICKLISTS: dict[str, tuple[str, ...]] = {
    "prs_Gender": GENDERS,
    "vic_TraffickingStatus": TRAFFICKING_STATUSES,
    "vic_TypeOfExploitation": EXPLOITATION_TYPES,
    "cas_Status": CASE_STATUSES,
    "cas_ReasonForOutgoingReferral": REFERRAL_REASONS,
    "cas_ReasonForIncomingReferral": REFERRAL_REASONS,
}
MULTI = frozenset({"prs_Citizenship", "vic_TypeOfExploitation"})
# The columns Beacon writes in the Excel workbook: IOM's template (Toolkit, Sheet1) in
# its order, with the standard's names (the template's typo corrected) and the outgoing
# referral reason its labels row has but its names row lacks; ``caseId`` first (Beacon's
# case reference, so a workbook sent back finds its case).
COLUMNS = (
    "caseId",
    "cas_CaseOwner",
    "prs_Salutation",
    "prs_FirstName",
    "prs_MiddleName",
    "prs_SecondName",
    "con_Consent",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "prs_Title",
    "prs_Email",
    "prs_HomePhone",
    "prs_MobilePhone",
    "prs_MailingCity",
    "prs_MailingCountry",
    "prs_MailingState",
    "prs_MailingStreet",
    "prs_MailingPostalCode",
    "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "vic_LocationOfExploitation",
    "cas_Status",
    "cas_ReferringOrganisation",
    "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails",
    "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate",
    "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
)
# What Beacon does with a case row's fields on import (the others are kept as given
# on the case and reported as not used by Beacon).
USED = frozenset(
    {
        "caseId",
        "prs_FirstName",
        "prs_SecondName",
        "prs_Birthdate",
        "con_Consent",
        "vic_TraffickingStatus",
        "vic_TypeOfExploitation",
    }
)
