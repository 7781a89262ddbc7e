"""The page lists' paginator: a page past the middle is read from the other end.

Django's Paginator takes page N with `OFFSET (N - 1) * size`, which the database answers by walking (or sorting)
every row before it, so the last page of 10,000 briefs costs the most. Past the middle, this paginator reverses
the queryset's order and takes `OFFSET count - N * size` from that end instead: the last page reads one page of
rows, from the same index backwards. Rows and their order are exactly Django's.
"""

from django.core import paginator
from django.db.models import QuerySet


class Paginator(paginator.Paginator):
    """A drop-in for django.core.paginator.Paginator."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet) and rows.ordered and bottom > self.count // 2:
            tail = list(rows.reverse()[self.count - top : self.count - bottom])
            tail.reverse()
            return self._get_page(tail, number, self)
        return self._get_page(rows[bottom:top], number, self)
