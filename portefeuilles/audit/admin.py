from django.contrib import admin

from .models import JournalEntry


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    """Read-only view of every firm's journal, for the platform's operators."""

    list_display = ["created_at", "firm_id", "actor_email", "action", "object_label"]
    list_filter = ["action"]
    search_fields = ["actor_email", "object_label", "siret", "account_number"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
