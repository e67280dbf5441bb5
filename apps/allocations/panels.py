"""What an allocation share's case page shows above the conversation: the partner's lines,
their answers and figures, and, when the plan says so, the plan's totals."""

from apps.partners.tenancy import scope_of
from apps.workspace.states import workflow_for

from . import selectors


def share_panel(*, request, case) -> dict:
    share = selectors.share_for_case(case=case)
    internal = scope_of(request.user).internal
    plan = share.plan if share else None
    can_answer = any(
        t.name == "answer"
        for t in workflow_for(case.kind).available(status=case.status, side=_side(request))
    )
    return {
        "share": share,
        "plan": plan,
        "share_lines": selectors.share_lines(case=case),
        # A partner never sees the plan's totals unless the plan says so.
        "plan_totals": selectors.plan_totals(plan=plan)
        if plan and (internal or plan.share_totals)
        else None,
        "can_upload_answers": can_answer and not internal,
    }


def _side(request):
    from apps.workspace.sides import side_of

    return side_of(request.user)
