"""The official numbers of an organisation: its SIRET (checked by python-stdnum, never by a
checksum of our own) and its number in the Répertoire national des associations (RNA)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

from sportressources.core.errors import ValidationFailed

RNA_PATTERN = re.compile(r"W\d{9}")
# What people paste: spaces, dots, dashes between groups of digits
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]+")

SIRET_FORMAT = _l("Le SIRET compte 14 chiffres (exemple : 732 829 320 00074).")
RNA_FORMAT = _l(
    "Le numéro RNA est la lettre W suivie de 9 chiffres (exemple : W623000001). Il figure sur "
    "le récépissé de déclaration de l’association."
)


def normalise_siret(raw: str | None, field: str = "siret") -> str | None:
    """The SIRET as 14 digits, or None when left empty.

    Spaces, dots and dashes are allowed on input. Raises ValidationFailed naming ``field`` for
    letters, a wrong length or a bad checksum (as python-stdnum checks it).
    """
    value = _SEPARATORS.sub("", raw or "")
    if not value:
        return None
    if len(value) > 40:
        raise ValidationFailed({field: SIRET_FORMAT})
    try:
        return stdnum_siret.validate(value)
    except InvalidLength:
        message = _l(
            "Ce SIRET compte %(count)s caractères au lieu de 14 chiffres.", count=len(value)
        )
    except InvalidFormat:
        message = _l("Le SIRET ne contient que des chiffres (14 chiffres, sans lettre).")
    except InvalidChecksum:
        message = _l(
            "Ce SIRET n’existe pas : sa clé de contrôle est fausse. Vérifiez les 14 chiffres "
            "sur un document officiel (avis de situation INSEE, facture)."
        )
    raise ValidationFailed({field: message})


def normalise_rna(raw: str | None, field: str = "rna") -> str | None:
    """The RNA number in upper case (« W » and 9 digits), or None when left empty.

    Lower case and spaces are accepted on input. Raises ValidationFailed naming ``field`` for
    anything else, with the format explained.
    """
    value = _SEPARATORS.sub("", raw or "").upper()
    if not value:
        return None
    if not RNA_PATTERN.fullmatch(value):
        raise ValidationFailed({field: RNA_FORMAT})
    return value
