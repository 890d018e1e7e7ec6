"""How a wish line is named to people, in the reader's language."""

from __future__ import annotations

from flask_babel import gettext

from sportressources.drives.models import WishLine
from sportressources.listings.taxonomy import AGE_GROUPS, CATEGORIES, SPORTS, size_label


def line_label(line: WishLine) -> str:
    """« Chaussures (Football), Pointure (EU) 36 », with the age group if any; the line's note,
    when the organisation wrote one, says it better (« paires de crampons pointure 36 »)."""
    if line.note:
        return line.note
    category = CATEGORIES.get(line.category)
    label = gettext(
        "%(category)s (%(sport)s)",
        category=category.label if category else line.category,
        sport=SPORTS.get(line.sport, line.sport),
    )
    if line.size:
        system = category.size_label if category and category.size_label else gettext("Taille")
        label = gettext(
            "%(label)s, %(system)s %(size)s", label=label, system=system, size=size_label(line.size)
        )
    if line.age_group:
        label = gettext(
            "%(label)s, %(age)s", label=label, age=AGE_GROUPS.get(line.age_group, line.age_group)
        )
    return label
