"""The one place where questionnaires are looked up for a facilitator's request (the builder).

A facilitator sees and edits their own questionnaires and those shared with them; the built-in
ones (no owner, such as the default) are read-only for everyone and can be copied. Anything
else is a 404, so no one learns that it exists. (`surveys` knows nothing of workshops: a
facilitator is any logged-in user, as `workshops.access` has it.)
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Questionnaire


def get_questionnaire_for_user(
    request: HttpRequest, questionnaire_pk: int, *, edit: bool = False
) -> Questionnaire:
    """The questionnaire if the logged-in facilitator may see it (`edit=False`: own, shared or
    built in) or change it (`edit=True`: own or shared), else 404. One query, with its owner."""
    mine = Questionnaire.objects.select_related("owner")
    queryset = mine.editable_by(request.user) if edit else mine.visible_to(request.user)
    return get_object_or_404(queryset, pk=questionnaire_pk)


def can_edit(request: HttpRequest, questionnaire: Questionnaire) -> bool:
    """Whether the facilitator may change this questionnaire (one they may see): their own, or
    one shared with them. No query for their own or a built-in one."""
    user = request.user
    if not getattr(user, "is_authenticated", False) or questionnaire.owner_id is None:
        return False
    if questionnaire.owner_id == user.pk:
        return True
    return questionnaire.shared_with.filter(pk=user.pk).exists()


def refuse_unless_editable(request: HttpRequest, questionnaire: Questionnaire) -> None:
    """404 unless the facilitator may change the questionnaire."""
    if not can_edit(request, questionnaire):
        raise Http404("No questionnaire of yours has this id.")
