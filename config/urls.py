from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from accounts.decorators import admin_site_has_permission, admin_site_login
from core import views as core_views
from pages import safety as pages_safety
from pages import views as pages

# The admin's own login page would skip allauth's MFA stage and rate
# limits: send it through allauth's sign-in instead. Only the administrator
# role (or a superuser) gets in; anyone else signed in gets 403.
admin.site.login = admin_site_login(admin.site.login)
admin.site.has_permission = admin_site_has_permission
admin.site.site_header = "Tinig administration"
admin.site.site_title = "Tinig"

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    # "Exit this page" and the page on using Tinig privately (pages.safety).
    path("exit", pages_safety.exit_page, name="exit"),
    path("help/", pages_safety.using_privately, name="using_privately"),
    path("help/<slug:language>/", pages_safety.using_privately, name="using_privately_in"),
    path("keep-alive", accounts_views.keep_alive, name="keep_alive"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("staff/", include("pages.urls_staff")),
    path("staff/people/", include("accounts.urls_staff")),
    # Choosing a row by search (core.search): JSON for the combobox.
    path("staff/search/", include("core.urls")),
    path("staff/consultants/", include("consultants.urls_staff")),
    path("staff/engagements/", include("engagements.urls_staff")),
    path("staff/checklists/", include("checklists.urls_staff")),
    path("staff/reminders/", include("reminders.urls_staff")),
    path("staff/compensation/", include("compensation.urls_staff")),
    path("staff/impact/", include("impact.urls_staff")),
    # The network, its leaders and circles; growth's staff pages too.
    path("staff/network/", include("network.urls_staff")),
    path("portal/", include("pages.urls_portal")),
    path("portal/me/", include("consultants.urls_portal")),
    path("portal/engagements/", include("engagements.urls_portal")),
    path("portal/checklist/", include("checklists.urls_portal")),
    path("portal/reminders/", include("reminders.urls_portal")),
    path("portal/pay/", include("compensation.urls_portal")),
    path("portal/voice/", include("impact.urls_portal")),
    path("portal/growth/", include("network.urls_growth_portal")),
    # Survivor leaders' programme figures (insights): before any include of
    # "portal/lead/", so the leader area's own patterns never shadow it.
    path("portal/lead/figures/", include("insights.urls_portal")),
    # A survivor leader's area (network.views.lead).
    path("portal/lead/", include("network.urls_lead")),
    path("portal/circles/", include("network.urls_portal_circles")),
    # A partner's one-time feedback link: no account (impact.views.partner).
    path("feedback/", include("impact.urls_partner")),
    path("reports/", include("reports.urls")),
    # The footer switcher: the signed-in person's preference, else the cookie.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
]
