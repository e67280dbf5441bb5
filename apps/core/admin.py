"""Admin pieces every app shares."""


class ReadOnlyAdminMixin:
    """For a ModelAdmin or an inline: the admin shows the rows and never adds, edits or deletes.

    For rows that change only through the services (their locks, ordering and timeline) or
    that record what happened; each use says which.
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
