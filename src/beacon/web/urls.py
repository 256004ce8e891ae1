"""Page routes. Every view declares its permission with @requires (see beacon.access.routes)."""

from __future__ import annotations

from django.urls import path

from beacon.web.views import (
    admin,
    assets,
    dashboard,
    drilldown,
    events,
    home,
    inbox,
    intake,
    language,
    manage,
    operations,
    publishers,
    records,
    reports,
    targets,
    timeline,
)

app_name = "web"

urlpatterns = [
    path("", home.home, name="home"),
    path("language/", language.switch_language, name="language"),
    path("hits/<int:hit_id>/confirm/", home.confirm_hit, name="confirm_hit"),
    path("static/<path:path>", assets.static_file, name="static"),
    path("favicon.ico", assets.favicon, name="favicon"),
    path("geo/topojson/<str:name>.json", assets.base_map, name="base_map"),
    # Operations
    path("operations/", operations.operation_list, name="operations"),
    path("operations/new/", manage.operation_create, name="operation_create"),
    path("operations/<str:code>/", dashboard.dashboard, name="dashboard"),
    path("operations/<str:code>/figures/", dashboard.dashboard_figures, name="dashboard_figures"),
    path("operations/<str:code>/figures/<str:metric>/", drilldown.figure_rows, name="figure_rows"),
    path("operations/<str:code>/shapes.json", dashboard.operation_shapes, name="operation_shapes"),
    path("operations/<str:code>/targets/", targets.target_list, name="targets"),
    path("operations/<str:code>/targets/add/", manage.target_add, name="target_add"),
    path("operations/<str:code>/edit/", manage.operation_edit, name="operation_edit"),
    path(
        "operations/<str:code>/targets/<str:ref>/outcome/",
        targets.record_outcome,
        name="record_outcome",
    ),
    path(
        "operations/<str:code>/targets/<str:ref>/outcome/undo/",
        targets.undo_outcome,
        name="undo_outcome",
    ),
    path("operations/<str:code>/events/<str:kind>/", events.event_new, name="event_new"),
    path("operations/<str:code>/timeline/", timeline.operation_timeline, name="operation_timeline"),
    path(
        "operations/<str:code>/targets/<str:ref>/timeline/",
        timeline.target_timeline,
        name="target_timeline",
    ),
    path(
        "operations/<str:code>/targets/<str:ref>/outcome/withdraw/",
        timeline.withdraw_outcome,
        name="withdraw_outcome",
    ),
    path(
        "operations/<str:code>/entries/<str:kind>/<str:ref>/correct/",
        timeline.correct_entry,
        name="correct_entry",
    ),
    path("operations/<str:code>/publishers/", publishers.publishers, name="publishers"),
    path("operations/<str:code>/report/", reports.report, name="report"),
    path("operations/<str:code>/report.pdf", reports.report_pdf, name="report_pdf"),
    # Records
    path("records/", records.record_search, name="record_search"),
    path("records/<str:nic>/", records.record_page, name="record"),
    path("records/<str:nic>/<str:action>/", records.record_action, name="record_action"),
    # Victims and referrals
    path("victims/<str:ref>/", inbox.victim, name="victim"),
    path("victims/<str:ref>/timeline/", timeline.victim_timeline, name="victim_timeline"),
    path("referrals/", inbox.inbox, name="inbox"),
    path("referrals/victims/<str:ref>/", inbox.referred_victim, name="referred_victim"),
    path(
        "referrals/victims/<str:ref>/services/",
        inbox.record_service,
        name="referred_victim_service",
    ),
    path("referrals/<str:ref>/respond/", inbox.respond, name="referral_respond"),
    # Intake review
    path("intake/", intake.intake_list, name="intake"),
    path("intake/<int:intake_id>/", intake.review, name="intake_review"),
    path(
        "intake/<int:intake_id>/clusters/<int:cluster_id>/decide/",
        intake.decide,
        name="intake_decide",
    ),
    # Administration
    path("administration/", admin.users, name="admin_home"),
    path("administration/users/<str:username>/", admin.user_detail, name="admin_user_detail"),
    path("administration/users/<str:username>/<str:action>/", admin.user_action, name="admin_user"),
    path("administration/agencies/", admin.agencies, name="admin_agencies"),
    path("administration/agencies/new/", admin.agency_create, name="admin_agency_create"),
    path("administration/agencies/<str:ori>/edit/", admin.agency_edit, name="admin_agency_edit"),
    path("administration/tokens/", admin.api_tokens, name="admin_tokens"),
    path(
        "administration/tokens/<str:prefix>/revoke/", admin.revoke_token, name="admin_token_revoke"
    ),
    path("administration/audit/", admin.audit, name="admin_audit"),
    path("administration/audit.csv", admin.audit_export, name="admin_audit_export"),
]
