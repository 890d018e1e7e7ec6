"""Schemas of a member's endpoints: what they send and what they get back.

The input schemas check types only and bound every field (so that nothing a client sends can
cause a 500); the content rules and their French messages stay where the pages have them: the
services, and for shapes (required fields, lengths, lists of choices) the page's own WTForms
form, which the API runs on the JSON data (``views_member_listings.run_form``). The limits the
OpenAPI document shows are read from those forms (``form_limits``), never copied.
"""

from __future__ import annotations

from wtforms.validators import DataRequired, Length, NumberRange

from sportressources.api import schemas as base
from sportressources.api.schemas import Schema, ma
from sportressources.listings.forms import ListingForm
from sportressources.listings.taxonomy import (
    AGE_GROUPS,
    CATEGORIES,
    CONDITION_LABELS,
    KIND_LABELS,
    SPORTS,
)
from sportressources.messaging.services import BODY_MAX
from sportressources.trade.loans.forms import LoanRequestForm
from sportressources.trade.loans.services import MESSAGE_MAX, REASON_MAX

# Past what any form accepts: a longer string is refused by its form with the form's message;
# this only keeps absurd bodies out of the form machinery.
TEXT_CAP = 20_000
INT_MAX = 2**31 - 1


def form_limits(form_class, name: str) -> dict:
    """The JSON-schema bounds (maxLength, minimum, maximum) of a form field, from its
    validators: the OpenAPI document says what the form enforces, from the form itself."""
    bounds: dict = {}
    for validator in form_class.__dict__[name].kwargs.get("validators", []):
        if isinstance(validator, Length) and validator.max not in (None, -1):
            bounds["maxLength"] = validator.max
        if isinstance(validator, NumberRange):
            if validator.min is not None:
                bounds["minimum"] = validator.min
            if validator.max is not None:
                bounds["maximum"] = validator.max
    return bounds


def form_requires(form_class, name: str) -> bool:
    return any(
        isinstance(validator, DataRequired)
        for validator in form_class.__dict__[name].kwargs.get("validators", [])
    )


def _text(description: str, form_class=None, name: str | None = None, **kwargs):
    metadata = {"description": description}
    if form_class is not None and name is not None:
        metadata.update(form_limits(form_class, name))
    return ma.fields.String(validate=base.Length(max=TEXT_CAP), metadata=metadata, **kwargs)


def _choice(description: str, codes, **kwargs):
    # The enum documents the codes; the form refuses others with its own French message.
    return ma.fields.String(
        validate=base.Length(max=64),
        metadata={"description": description, "enum": list(codes)},
        **kwargs,
    )


def _euros(description: str, name: str):
    # No bound here: the form's field refuses absurd numbers (and NaN) with its French message
    return ma.fields.Decimal(
        allow_nan=False,
        places=None,
        metadata={"description": description, **form_limits(ListingForm, name)},
        allow_none=True,
    )


def _int(description: str, **metadata):
    return ma.fields.Integer(
        strict=True,
        validate=base.Range(min=-INT_MAX, max=INT_MAX),
        metadata={"description": description, **metadata},
        allow_none=True,
    )


# --- the member ----------------------------------------------------------------------------------


class HomeCommuneSchema(Schema):
    insee = ma.fields.String(required=True, metadata={"description": "Code INSEE"})
    name = ma.fields.String(required=True, metadata={"description": "Nom de la commune"})


class MeSchema(Schema):
    public_id = ma.fields.String(required=True, metadata={"description": "Identifiant public"})
    name = ma.fields.String(required=True, metadata={"description": "Nom affiché sur le site"})
    commune = ma.fields.Nested(
        HomeCommuneSchema, allow_none=True, metadata={"description": "Commune de résidence"}
    )
    locale = ma.fields.String(required=True, metadata={"description": "Langue du site (fr, en)"})


# --- listings ------------------------------------------------------------------------------------


class ListingFieldsSchema(Schema):
    """The fields of the listing form, under the form's names (prices in euros, as typed)."""

    kind = _choice("Don (gift), prêt (loan) ou vente (sale)", KIND_LABELS)
    title = _text("Titre", ListingForm, "title")
    description = _text("Description, texte simple", ListingForm, "description")
    sport = _choice("Sport", SPORTS)
    category = _choice("Catégorie", CATEGORIES)
    size = _text("Taille, selon la catégorie (vide : aucune)", ListingForm, "size")
    age_group = _choice("Pour qui", AGE_GROUPS)
    condition = _choice("État du matériel", CONDITION_LABELS)
    brand = _text("Marque", ListingForm, "brand")
    price = _euros("Prix de vente en euros (vente seulement)", "price")
    new_price = _euros("Prix neuf en euros : il plafonne le prix de vente", "new_price")
    commune = _text("Code INSEE de la commune où se trouve le matériel")
    venue = _int("Lieu de remise (identifiant d’un lieu sportif), facultatif")
    safety_age_years = _int(
        "Âge de l’équipement de sécurité, en années", **form_limits(ListingForm, "safety_age_years")
    )
    safety_no_impact = ma.fields.Boolean(
        allow_none=True,
        metadata={"description": "L’équipement n’a subi aucun choc ni aucune chute"},
    )
    event = _int("Événement sportif auquel rattacher l’annonce (vide : aucun)")
    loan_min_days = _int("Prêt : durée minimale, en jours")
    loan_max_days = _int("Prêt : durée maximale, en jours")
    loan_deposit = ma.fields.Decimal(
        allow_nan=False,
        places=None,
        allow_none=True,
        metadata={"description": "Prêt : caution en euros (facultatif)"},
    )
    draft = ma.fields.Boolean(
        load_default=False,
        metadata={
            "description": "Enregistrer en brouillon au lieu d’envoyer en relecture "
            "(une annonce envoyée doit avoir au moins une photo)"
        },
    )


class ListingCreateSchema(ListingFieldsSchema):
    publish_as = _int("Publier au nom de cette organisation (identifiant), facultatif")


class ListingOrganisationSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class MyListingSchema(Schema):
    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(KIND_LABELS)})
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    sport = ma.fields.String(required=True)
    category = ma.fields.String(required=True)
    size = ma.fields.String(required=True)
    age_group = ma.fields.String(required=True)
    condition = ma.fields.String(required=True)
    brand = ma.fields.String(required=True)
    price = ma.fields.Float(allow_none=True, metadata={"description": "Prix de vente, en euros"})
    new_price = ma.fields.Float(allow_none=True, metadata={"description": "Prix neuf, en euros"})
    commune = ma.fields.String(required=True, metadata={"description": "Code INSEE"})
    venue = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(required=True, metadata={"description": "Code de l’état"})
    status_label = ma.fields.String(required=True, metadata={"description": "État, en clair"})
    pending_change = ma.fields.Boolean(
        required=True,
        metadata={"description": "Une modification attend la relecture de la modération"},
    )
    organisation = ma.fields.Nested(ListingOrganisationSchema, allow_none=True)
    photo_count = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Page de l’annonce"})


class PhotoUploadSchema(Schema):
    photos = ma.fields.List(
        ma.fields.Raw(metadata={"type": "string", "format": "binary"}),
        required=True,
        validate=base.Length(min=1, max=6),
        metadata={"description": "Une à six photos JPEG, PNG ou WebP (8 Mo au plus chacune)"},
    )


# --- loans ---------------------------------------------------------------------------------------


class LoanRequestSchema(Schema):
    """The fields of the loan request form."""

    start_date = ma.fields.String(
        validate=base.Length(max=64),
        metadata={"description": "Premier jour (retrait), AAAA-MM-JJ ou JJ/MM/AAAA"},
    )
    end_date = ma.fields.String(
        validate=base.Length(max=64),
        metadata={"description": "Dernier jour (retour), compris dans le prêt"},
    )
    message = _text("Message au propriétaire (facultatif)", LoanRequestForm, "message")
    borrow_as = _int("Emprunter au nom de cette organisation vérifiée (identifiant)")


class LoanDeclineSchema(Schema):
    reason = ma.fields.String(
        load_default="",
        validate=base.Length(max=TEXT_CAP),
        metadata={"description": "Motif, transmis à l’emprunteur", "maxLength": REASON_MAX},
    )


class LoanListingSchema(Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)


class LoanSchema(Schema):
    id = ma.fields.Integer(required=True)
    listing = ma.fields.Nested(LoanListingSchema, required=True)
    side = ma.fields.String(
        required=True,
        metadata={"enum": ["borrower", "lender"], "description": "Votre côté du prêt"},
    )
    other = ma.fields.String(required=True, metadata={"description": "L’autre membre"})
    status = ma.fields.String(required=True)
    status_label = ma.fields.String(required=True)
    start_date = ma.fields.Date(required=True)
    end_date = ma.fields.Date(required=True)
    message = ma.fields.String(required=True, metadata={"maxLength": MESSAGE_MAX})
    reason = ma.fields.String(required=True)
    deposit_cents = ma.fields.Integer(allow_none=True, metadata={"description": "Caution"})
    requested_at = ma.fields.DateTime(required=True)
    url = ma.fields.String(required=True, metadata={"description": "Page du prêt"})


class MyLoansSchema(Schema):
    borrowed = ma.fields.List(ma.fields.Nested(LoanSchema), required=True)
    lent = ma.fields.List(ma.fields.Nested(LoanSchema), required=True)


# --- conversations -------------------------------------------------------------------------------


class ConversationSummarySchema(Schema):
    id = ma.fields.Integer(required=True)
    listing = ma.fields.Nested(LoanListingSchema, required=True)
    other = ma.fields.String(required=True, metadata={"description": "L’autre membre"})
    side = ma.fields.String(required=True, metadata={"enum": ["owner", "interested"]})
    unread = ma.fields.Boolean(required=True)
    preview = ma.fields.String(required=True, metadata={"description": "Début du dernier message"})
    last_message_at = ma.fields.DateTime(required=True)


class MessageSchema(Schema):
    id = ma.fields.Integer(required=True)
    sender = ma.fields.String(required=True)
    mine = ma.fields.Boolean(required=True, metadata={"description": "Envoyé par vous"})
    body = ma.fields.String(
        allow_none=True, metadata={"description": "Texte ; null si retiré par la modération"}
    )
    removed = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)


class ConversationSchema(ConversationSummarySchema):
    messages = ma.fields.List(ma.fields.Nested(MessageSchema), required=True)


class MessageInSchema(Schema):
    body = ma.fields.String(
        required=True,
        validate=base.Length(max=TEXT_CAP),
        metadata={"description": "Texte simple", "maxLength": BODY_MAX},
    )
