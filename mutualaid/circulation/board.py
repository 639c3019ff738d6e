"""A group's board as every member sees it: the open needs (filtered) and the active offers, read only when the
board's fragment is made (the group page keeps it in the template fragment cache, keyed on the group's stamp)."""
from __future__ import annotations

from django.utils.functional import cached_property

from mutualaid.core.web import paginate
from mutualaid.networks import selectors as network_selectors

from . import selectors
from .forms import BoardFilterForm


class Board:
    """A group's board as every member sees it. The page keeps its HTML in the template fragment cache, keyed on
    the group's stamp (read with the membership), the language, the time zone and the query; each part is read only
    when the fragment is made."""

    def __init__(self, request, access):
        self.request, self.group, self.stamp = request, access.group, access.stamp
        self.query = request.GET.urlencode()

    @cached_property
    def filters(self) -> BoardFilterForm:
        return BoardFilterForm(self.request.GET or None, categories=list(selectors.category_list()))

    @cached_property
    def chosen(self) -> dict:
        return self.filters.filters()

    @property
    def filtered(self) -> bool:
        return any(self.chosen.values())

    @cached_property
    def needs(self):
        return paginate(self.request, selectors.board_needs(self.group, **self.chosen))

    @cached_property
    def offers(self):
        # The filters are the needs' (their form sits over the needs): the offers beside them stay whole, so that a
        # filter never empties the other section.
        # A search looks through both (what people need and what they offer).
        return paginate(self.request, selectors.board_offers(self.group, q=self.chosen["q"]), param="offers_page")

    @cached_property
    def member_count(self) -> int:
        return network_selectors.active_member_count(self.group)
