"""Organisation forms: profile, logo, invitation, role. Shape only: the rules (identifiers,
lengths, permissions) are the services'."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from sportressources.core.forms import NO_MAXLENGTH, ChoiceField, max_length
from sportressources.organisations.models import MemberRole, OrganisationKind

KIND_LABELS = {
    OrganisationKind.CLUB: _l("Association ou club sportif"),
    OrganisationKind.PUBLIC_BODY: _l("Commune ou intercommunalité"),
    OrganisationKind.RESSOURCERIE: _l("Ressourcerie ou association caritative"),
}
ROLE_CHOICE_LABELS = {
    MemberRole.VOLUNTEER: _l("Bénévole : agit pour l’organisation (annonces, prêts, collectes)"),
    MemberRole.MANAGER: _l("Responsable : modifie le profil et gère les membres, en plus"),
}


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Nom de l’organisation"),
        validators=[DataRequired(_l("Indiquez le nom de l’organisation.")), max_length(120)],
    )
    kind = ChoiceField(
        _l("Type d’organisation"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired(_l("Choisissez un type d’organisation."))],
    )
    rna = StringField(
        _l("Numéro RNA"),
        description=_l(
            "Pour une association : la lettre W suivie de 9 chiffres (exemple : W623000001)."
        ),
        validators=[Optional(), max_length(20)],
    )
    siret = StringField(
        _l("SIRET"),
        description=_l(
            "14 chiffres, espaces permis. Indiquez le numéro RNA, le SIRET, ou les deux."
        ),
        validators=[Optional(), max_length(40)],
        render_kw={"inputmode": "numeric"},
    )
    address = StringField(
        _l("Adresse"),
        validators=[Optional(), max_length(255)],
        render_kw={"autocomplete": "address-line1"},
    )
    commune = ChoiceField(
        _l("Commune"), validators=[DataRequired(_l("Choisissez la commune de l’organisation."))]
    )
    sports = SelectMultipleField(_l("Sports pratiqués"), choices=[], validate_choice=False)
    description = TextAreaField(
        _l("Présentation"),
        description=_l("Ce que fait l’organisation, le matériel qu’elle prête ou recherche."),
        validators=[Optional(), max_length(4000)],
        render_kw={"rows": 6, **NO_MAXLENGTH},
    )
    dropoff_hours = TextAreaField(
        _l("Horaires de dépôt du matériel"),
        description=_l("Par exemple : le mercredi de 14 h à 18 h, au local du club."),
        validators=[Optional(), max_length(1000)],
        render_kw={"rows": 3, **NO_MAXLENGTH},
    )
    website = StringField(
        _l("Site web"),
        description=_l("Adresse complète, commençant par https://"),
        validators=[Optional(), max_length(255)],
        render_kw={"autocomplete": "url", "inputmode": "url"},
    )


class LogoForm(FlaskForm):
    logo = FileField(
        _l("Logo"),
        description=_l(
            "Image JPEG, PNG ou WebP ; elle est recadrée et débarrassée de ses métadonnées."
        ),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )


class InviteForm(FlaskForm):
    email = StringField(
        _l("Adresse e-mail de la personne"),
        validators=[DataRequired(_l("Indiquez une adresse e-mail.")), max_length(254)],
        render_kw={"autocomplete": "off", "type": "email"},
    )
    role = ChoiceField(
        _l("Rôle"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_CHOICE_LABELS.items()],
        default=MemberRole.VOLUNTEER.value,
    )


class RoleForm(FlaskForm):
    role = ChoiceField(
        _l("Rôle"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_CHOICE_LABELS.items()],
    )


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token (remove, leave, revoke, resubmit, close)."""


class DirectoryForm(FlaskForm):
    class Meta:
        csrf = False

    type = ChoiceField(_l("Type"), validators=[Optional()])
    zone = ChoiceField(_l("Zone"), validators=[Optional()])
    commune = ChoiceField(_l("Commune"), validators=[Optional()])
