"""The case-page panel of a launch share: the partner's checklist, its constraints, its SKUs."""

from .models import LaunchShare
from .selectors import share_panel


def launch_panel(*, request, case) -> dict:
    share = LaunchShare.objects.filter(case=case).select_related("launch", "partner").first()
    if share is None:
        return {"share": None}
    return share_panel(share=share)
