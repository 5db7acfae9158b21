"""Operators' admin: firms, users and the demandes d'adhésion to approve or refuse."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import signup
from .emails import EmailNotSent
from .models import Firm, Invitation, SignupRequest, User
from .services import AccountError


@admin.register(Firm)
class FirmAdmin(admin.ModelAdmin):
    list_display = ["name", "siren", "created_at"]
    search_fields = ["name", "siren"]


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["email", "last_name", "first_name", "firm", "role", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "last_name", "firm__name", "firm__siren"]
    list_select_related = ["firm"]
    fields = [
        "email",
        "first_name",
        "last_name",
        "firm",
        "role",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    readonly_fields = ["last_login", "date_joined"]
    raw_id_fields = ["firm"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "firm", "role", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["firm"]
    readonly_fields = [
        "firm",
        "email",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
        "user",
    ]
    exclude = ["token_digest"]

    def has_add_permission(self, request):
        return False


@admin.register(SignupRequest)
class SignupRequestAdmin(admin.ModelAdmin):
    list_display = ["firm_name", "siren", "email", "status", "created_at", "confirmed_at"]
    list_filter = ["status"]
    search_fields = ["firm_name", "siren", "email"]
    readonly_fields = [
        "siren",
        "firm_name",
        "first_name",
        "last_name",
        "email",
        "status",
        "created_at",
        "confirmed_at",
        "decided_at",
        "decided_by",
        "firm",
    ]
    actions = ["approve", "refuse"]

    def has_add_permission(self, request):
        return False

    def _apply(self, request, queryset, rule, done_message):
        done = 0
        for signup_request in queryset:
            try:
                rule(signup_request)
            except (AccountError, EmailNotSent) as error:
                self.message_user(request, f"{signup_request} : {error}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Valider les demandes sélectionnées (crée l'espace)"))
    def approve(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda r: signup.approve(request.user, r, request.build_absolute_uri),
            _("%(count)s demande(s) validée(s) : espaces créés, demandeurs prévenus par e-mail."),
        )

    @admin.action(description=_("Refuser les demandes sélectionnées"))
    def refuse(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda r: signup.refuse(request.user, r),
            _("%(count)s demande(s) refusée(s) : demandeurs prévenus par e-mail."),
        )
