"""Application owners: the console user who reviews an application's access in campaigns
whose reviewers are "the application's owner". One per application, set by an admin."""

from okta_insights.models import OktaApp
from querypie_admin import audit
from querypie_admin.models import User

from ..models import ApplicationOwner


def set_owner(app_okta_id: str, owner: User, actor: User) -> ApplicationOwner:
    row = ApplicationOwner.objects.update_or_create(
        app_okta_id=app_okta_id, defaults={"owner": owner, "set_by": actor}
    )[0]
    audit.record(
        "access_review.app_owner_set", actor=actor, target=owner, detail={"app": app_okta_id}
    )
    return row


def remove_owner(row_id: int, actor: User) -> bool:
    row = ApplicationOwner.objects.select_related("owner").filter(pk=row_id).first()
    if row is None:
        return False
    row.delete()
    audit.record(
        "access_review.app_owner_removed",
        actor=actor,
        target=row.owner,
        detail={"app": row.app_okta_id},
    )
    return True


def listing() -> list[dict]:
    """Every owner with its application's label (or its id, once the app is gone)."""
    labels = dict(OktaApp.objects.values_list("okta_id", "label"))
    rows = ApplicationOwner.objects.select_related("owner", "set_by").order_by("app_okta_id")
    return [{"row": row, "label": labels.get(row.app_okta_id, row.app_okta_id)} for row in rows]
