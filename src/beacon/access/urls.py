from django.urls import path

from beacon.access import views

app_name = "access"

urlpatterns = [
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("authenticator/", views.enrol, name="enrol"),
    path("recovery-codes/", views.recovery_codes, name="recovery-codes"),
]
