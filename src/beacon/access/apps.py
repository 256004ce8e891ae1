from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "beacon.access"
    label = "access"
    verbose_name = "Access and accounts"

    def ready(self) -> None:
        from django.contrib import admin
        from django_otp.admin import OTPAdminSite

        from beacon.access import accounts, views
        from beacon.core.commands import set_user_actor

        set_user_actor(accounts.cli_actor)  # BEACON_CLI_USER: who the CLI acts as

        # Django's admin: only staff with a verified second factor, and its own login
        # form (no lockout, no rate limit, no MFA) is replaced by Beacon's sign-in.
        admin.site.__class__ = OTPAdminSite
        admin.site.login = views.admin_sign_in  # type: ignore[method-assign]
