from django.urls import path

from .views import account, login, signup, team

app_name = "accounts"

urlpatterns = [
    # Login, second factor, logout.
    path("connexion/", login.LoginView.as_view(), name="login"),
    path("connexion/code/", login.second_factor, name="login_second_factor"),
    path("connexion/double-authentification/", login.enrol_at_login, name="login_enrol"),
    path("deconnexion/", login.LogoutView.as_view(), name="logout"),
    # « Mon compte », « Mes sessions », « Confirmer votre identité ».
    path("compte/", account.account, name="account"),
    path("compte/confirmer-identite/", account.reauthenticate, name="reauthenticate"),
    path("compte/sessions/", account.sessions, name="sessions"),
    path("compte/sessions/<int:pk>/deconnecter/", account.end_session, name="end_session"),
    path(
        "compte/sessions/deconnecter-les-autres/",
        account.end_other_sessions,
        name="end_other_sessions",
    ),
    path("compte/double-authentification/", account.enrol, name="two_factor_enrol"),
    path(
        "compte/double-authentification/codes-de-secours/",
        account.new_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "compte/double-authentification/desactiver/",
        account.disable_second_factor,
        name="two_factor_disable",
    ),
    # Passwords.
    path("compte/mot-de-passe/", account.PasswordChangeView.as_view(), name="password_change"),
    path("mot-de-passe-oublie/", account.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        account.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe-oublie/<uidb64>/<token>/",
        account.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe-oublie/termine/",
        account.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # Team management, from « Gérer les utilisateurs ».
    path("utilisateurs/inviter/", team.invite, name="invite"),
    path(
        "utilisateurs/invitations/<int:pk>/renvoyer/",
        team.resend_invitation,
        name="resend_invitation",
    ),
    path(
        "utilisateurs/invitations/<int:pk>/annuler/",
        team.revoke_invitation,
        name="revoke_invitation",
    ),
    path("utilisateurs/<int:pk>/profil/", team.change_role, name="change_role"),
    path("utilisateurs/<int:pk>/desactiver/", team.deactivate, name="deactivate_user"),
    path("utilisateurs/<int:pk>/reactiver/", team.reactivate, name="reactivate_user"),
    path(
        "utilisateurs/<int:pk>/sessions/fermer/",
        team.end_user_sessions,
        name="end_user_sessions",
    ),
    path(
        "utilisateurs/<int:pk>/double-authentification/reinitialiser/",
        team.reset_second_factor,
        name="reset_user_second_factor",
    ),
    path("invitation/<str:token>/", team.accept_invitation, name="accept_invitation"),
    # « Créer votre espace en ligne ».
    path("creer-votre-espace/", signup.signup, name="signup"),
    path("creer-votre-espace/demande-envoyee/", signup.signup_sent, name="signup_sent"),
    path("creer-votre-espace/confirmer/<str:token>/", signup.signup_confirm, name="signup_confirm"),
]
