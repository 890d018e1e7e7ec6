"""The grounds of a moderation decision: the numbered rules of the terms of use and the kinds of
illegal content, each with the category the EU DSA Transparency Database files it under.

The terms page (``pages/legal/terms.*.html``) shows every rule of ``TERMS_RULES`` under its
number, with the anchor ``regle-<number>`` (« regle-3-4 »); a test keeps the two in step.
A report's reason and a decision's ground are codes: « rule:3.4 » or « illegal:counterfeit ».
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from sportressources.moderation import dsa


@dataclass(frozen=True)
class Ground:
    code: str  # « rule:3.4 » or « illegal:counterfeit »
    label: LazyString
    category: str  # a STATEMENT_CATEGORY_* value
    illegal: bool
    rule: str | None = None  # the rule number, for a rule of the terms
    law: str = ""  # the legal reference, for illegal content

    @property
    def anchor(self) -> str | None:
        return f"regle-{self.rule.replace('.', '-')}" if self.rule else None


def _rule(number: str, label: LazyString, category: str) -> Ground:
    return Ground(f"rule:{number}", label, category, illegal=False, rule=number)


def _illegal(kind: str, label: LazyString, category: str, law: str) -> Ground:
    return Ground(f"illegal:{kind}", label, category, illegal=True, law=law)


C = dsa.Category
TERMS_RULES: tuple[Ground, ...] = (
    _rule("2.1", _l("Un compte par personne, sous une identité honnête"), C.OTHER_TERMS),
    _rule("2.2", _l("Un nom de profil correct, qui n’usurpe l’identité de personne"), C.SPEECH),
    _rule(
        "3.1", _l("Du matériel qui vous appartient, décrit honnêtement, photos réelles"), C.SCAMS
    ),
    _rule("3.2", _l("Un don est gratuit et un prix de vente respecte le plafond"), C.OTHER_TERMS),
    _rule("3.3", _l("Les règles d’hygiène et de sécurité du matériel"), C.UNSAFE),
    _rule("3.4", _l("Pas de coordonnées ni de liens dans une annonce"), C.OTHER_TERMS),
    _rule("3.5", _l("Du matériel de sport uniquement"), C.OTHER_TERMS),
    _rule("3.6", _l("Pas d’annonce fictive, en double ou publiée en masse"), C.SCAMS),
    _rule("4.1", _l("Tenir ses engagements lors des échanges et des prêts"), C.OTHER_TERMS),
    _rule("5.1", _l("Pas de propos injurieux, discriminatoires ou harcelants"), C.BULLYING),
    _rule("5.2", _l("Pas de démarchage commercial ni de publicité"), C.OTHER_TERMS),
    _rule("5.3", _l("Pas de revente de matériel reçu en don"), C.OTHER_TERMS),
    _rule("5.4", _l("Pas d’arnaque ni de demande de paiement hors du site"), C.SCAMS),
    _rule("5.5", _l("Pas d’utilisation automatisée du site"), C.OTHER_TERMS),
)

ILLEGAL_KINDS: tuple[Ground, ...] = (
    _illegal(
        "counterfeit",
        _l("Contrefaçon"),
        C.INTELLECTUAL_PROPERTY,
        "Code de la propriété intellectuelle, art. L716-9 et L716-10",
    ),
    _illegal(
        "stolen",
        _l("Objet volé ou recel"),
        C.SCAMS,
        "Code pénal, art. 311-1 (vol) et 321-1 (recel)",
    ),
    _illegal(
        "fraud",
        _l("Escroquerie"),
        C.SCAMS,
        "Code pénal, art. 313-1 (escroquerie)",
    ),
    _illegal(
        "dangerous_product",
        _l("Produit dangereux, rappelé ou interdit à la vente"),
        C.UNSAFE,
        "Code de la consommation, art. L421-3 (obligation générale de sécurité)",
    ),
    _illegal(
        "hate",
        _l("Propos haineux ou discriminatoires"),
        C.SPEECH,
        "Loi du 29 juillet 1881 sur la liberté de la presse, art. 24 et 32",
    ),
    _illegal(
        "harassment",
        _l("Harcèlement ou menaces"),
        C.BULLYING,
        "Code pénal, art. 222-33-2-2 (harcèlement) et 222-17 (menaces)",
    ),
    _illegal(
        "privacy",
        _l("Données personnelles d’autrui publiées sans accord"),
        C.PRIVACY,
        "Règlement (UE) 2016/679 (RGPD), art. 6 ; Code pénal, art. 226-22",
    ),
    _illegal(
        "minors",
        _l("Mise en danger ou exploitation de mineurs"),
        C.MINORS,
        "Code pénal, art. 227-23 et 227-24",
    ),
    _illegal(
        "other",
        _l("Autre contenu illicite"),
        C.UNSPECIFIED_ILLEGAL,
        "",
    ),
)

GROUNDS: dict[str, Ground] = {ground.code: ground for ground in TERMS_RULES + ILLEGAL_KINDS}


def ground_for(code: str) -> Ground | None:
    """The ground of a code (« rule:3.4 », « illegal:fraud »), None for an unknown one."""
    return GROUNDS.get(code)


def rule(number: str) -> Ground:
    """The rule of the terms numbered ``number``; KeyError for an unknown number."""
    return GROUNDS[f"rule:{number}"]
