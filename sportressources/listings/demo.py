"""``flask demo seed``: French demo listings for development, or many synthetic ones for benchmarks.

Without options it adds, once, a few demo members, about sixty plausible listings across sports,
categories, communes and venues (some with generated photos), and a few conversations. With
``--listings N`` it bulk-loads N synthetic listings (a million takes minutes) owned by a pool of
synthetic members, with skewed distributions: popular communes and words, mostly sales, 90 %
published, ids rising with creation dates over two years.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from sportressources.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from sportressources.core.states import apply_transition
from sportressources.geo.models import Commune
from sportressources.listings import services
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.venues.models import Venue, VenueStatus

# (sport, category, title, what it is made for, price new in euros)
CATALOGUE = (
    ("football", "chaussures", "Chaussures de foot à crampons", "terrain synthétique", 60),
    ("football", "ballons", "Ballon de football", "l'entraînement", 25),
    ("football", "protections", "Protège-tibias", "les matchs du samedi", 15),
    ("football", "vetements", "Maillot de football", "le club", 40),
    ("football", "materiel_collectif", "Lot de plots et chasubles", "les séances d'équipe", 35),
    ("cyclisme", "velos", "Vélo enfant", "apprendre à rouler", 180),
    ("cyclisme", "velos", "VTT", "les chemins du bassin minier", 350),
    ("cyclisme", "velos", "Vélo de course", "les sorties du dimanche", 600),
    ("cyclisme", "casques", "Casque de vélo", "rouler en sécurité", 45),
    ("cyclisme", "accessoires_velo", "Pompe à vélo", "l'atelier", 25),
    ("cyclisme", "sieges_velo_enfant", "Siège vélo enfant", "les balades en famille", 80),
    ("natation", "maillots_bain", "Maillot de bain", "la piscine", 30),
    ("natation", "autre", "Planche et pull-buoy", "les longueurs", 20),
    ("tennis", "raquettes", "Raquette de tennis", "le club de tennis", 90),
    ("tennis", "autre", "Tube de balles de tennis", "l'entraînement", 8),
    ("tennis_de_table", "raquettes", "Raquette de ping-pong", "le tennis de table", 30),
    ("badminton", "raquettes", "Raquette de badminton", "le badminton en salle", 40),
    ("basket", "ballons", "Ballon de basket", "le playground", 30),
    ("basket", "chaussures", "Chaussures de basket", "le gymnase", 90),
    ("handball", "ballons", "Ballon de handball", "les entraînements", 25),
    ("volley", "protections", "Genouillères de volley", "le volley en salle", 25),
    ("rugby", "ballons", "Ballon de rugby", "l'école de rugby", 25),
    ("rugby", "protege_dents", "Protège-dents", "le rugby", 20),
    ("gymnastique", "vetements", "Justaucorps", "la gym", 35),
    ("gymnastique", "fitness", "Tapis de gymnastique", "les exercices au sol", 40),
    ("danse", "chaussures", "Chaussons de danse", "le cours de danse", 25),
    ("randonnee_trail", "chaussures", "Chaussures de randonnée", "les terrils", 110),
    ("randonnee_trail", "sacs", "Sac à dos de randonnée", "les sorties à la journée", 70),
    ("randonnee_trail", "autre", "Bâtons de marche", "la marche nordique", 40),
    ("fitness", "fitness", "Paire d'haltères", "la musculation à la maison", 40),
    ("fitness", "fitness", "Banc de musculation", "la salle à la maison", 150),
    ("sports_combat", "gants_combat", "Gants de boxe", "la boxe", 50),
    ("sports_combat", "vetements", "Kimono de judo", "le dojo", 40),
    ("escalade", "escalade", "Baudrier d'escalade", "la salle d'escalade", 60),
    ("escalade", "chaussures", "Chaussons d'escalade", "la salle de bloc", 80),
    ("equitation", "casques", "Bombe d'équitation", "le centre équestre", 70),
    ("equitation", "chaussures", "Bottes d'équitation", "le centre équestre", 60),
    ("glisse", "glisse", "Paire de skis", "les vacances à la neige", 250),
    ("glisse", "glisse", "Skateboard", "le skatepark", 80),
    ("hockey", "glisse", "Rollers", "le roller en salle", 90),
    ("hockey", "autre", "Crosse de hockey", "le hockey sur gazon", 45),
    ("athletisme", "chaussures", "Pointes d'athlétisme", "la piste", 70),
    ("athletisme", "vetements", "Survêtement", "l'échauffement", 45),
    ("multisport", "sacs", "Sac de sport", "le vestiaire", 30),
    ("multisport", "autre", "Trottinette", "aller au stade", 60),
)
CONDITIONS = ("very_good", "good", "good", "worn")
AUDIENCES = ("enfant", "junior", "femme", "homme", "adulte")
BRANDS = (
    "Decathlon", "Kipsta", "Btwin", "Rockrider", "Domyos", "Artengo", "Kalenji", "Nabaiji",
    "Quechua", "Adidas", "Nike", "Puma", "Asics", "Head", "Wilson", "Babolat", "Yonex", "Mizuno",
    "Salomon", "Rossignol", "Petzl", "Oxelo", "Tarmak", "Allsix", "Outshock", "Simond", "Fouganza",
    "Wedze",
)  # fmt: skip
DESCRIPTION_OPENINGS = (
    "Mon fils a grandi, il ne s'en sert plus.",
    "Acheté l'an dernier, très peu servi.",
    "Utilisé une saison au club, en bon état général.",
    "Ma fille a changé de sport, il dort au garage.",
    "Idéal pour débuter sans se ruiner.",
    "Récupéré lors d'un vide-grenier, jamais utilisé depuis.",
)
DESCRIPTION_CLOSINGS = (
    "À récupérer au stade le samedi matin.",
    "Remise en main propre après l'entraînement.",
    "Je peux le déposer au gymnase en semaine.",
    "Disponible le soir après 18 h.",
    "Me contacter par la messagerie du site.",
)
DEMO_MEMBERS = (
    # email, display name, home commune (INSEE)
    ("lea.martin@example.org", "Léa M.", "62498"),  # Lens
    ("mehdi.k@example.org", "Mehdi K.", "62510"),  # Liévin
    ("sophie.lefebvre@example.org", "Sophie L.", "62119"),  # Béthune
    ("julien.p@example.org", "Julien P.", "62427"),  # Hénin-Beaumont
    ("ines.b@example.org", "Inès B.", "62178"),  # Bruay-la-Buissière
    ("thomas.r@example.org", "Thomas R.", "62215"),  # Carvin
)
DEMO_LISTINGS = 60
DEMO_MODERATOR = "moderation@example.org"


# --- Demo data for people ----------------------------------------------------------------------


def seed_demo(rng: random.Random, with_photos: bool = True) -> str:
    """Demo members and listings, once: a second run adds nothing.

    Needs the territory; creates the demo accounts first when the database has none.
    """
    load_demo_accounts()
    owners = demo_members()
    marker = db.session.scalar(
        select(func.count()).select_from(Listing).where(Listing.owner_id.in_(u.id for u in owners))
    )
    if marker:
        return "des annonces de démonstration existent déjà, rien à faire"
    communes = {c.insee: c for c in db.session.scalars(select(Commune))}
    venues = list(
        db.session.scalars(
            select(Venue).where(Venue.status == VenueStatus.PUBLISHED.value, Venue.pickup)
        )
    )
    photo_maker = _photo_maker() if with_photos else None
    moderator = db.session.scalar(select(User).where(User.email == DEMO_MODERATOR))
    now = utcnow()
    listings = []
    for number in range(DEMO_LISTINGS):
        owner = owners[number % len(owners)]
        sport, category_code, title, purpose, new_price = CATALOGUE[number % len(CATALOGUE)]
        category = CATEGORIES[category_code]
        kind = _kind_for(category, rng)
        condition = "new" if category.new_only else rng.choice(CONDITIONS)
        size = rng.choice(category.sizes) if category.sizes else ""
        commune = communes.get(owner.home_commune_insee or "") or communes["62498"]
        venue = rng.choice(venues) if venues and rng.random() < 0.3 else None
        audience = rng.choice(AUDIENCES)
        brand = rng.choice(BRANDS)
        created = now - timedelta(days=rng.uniform(0, 60))
        keys = [photo_maker(title, number)[0]] if photo_maker is not None else []
        # Through the listing service, like a member's form: the price cap, the hygiene and
        # safety rules hold for demo data too; then approved by the demo moderator.
        listing = services.create_listing(
            owner,
            services.ListingData(
                kind=kind,
                title=f"{title} {audience}"[:120],
                description=(
                    f"{rng.choice(DESCRIPTION_OPENINGS)} Parfait pour {purpose}. "
                    f"{rng.choice(DESCRIPTION_CLOSINGS)}"
                ),
                sport=sport,
                category=category_code,
                size=size,
                age_group=_age_group_for(audience, rng),
                condition=condition,
                brand=brand,
                new_price_cents=new_price * 100,
                price_cents=_price_for(kind, new_price, rng),
                safety_age_years=rng.randint(1, 4) if category.safety else None,
                safety_no_impact=True if category.safety else None,
                commune_insee=venue.commune_insee if venue else commune.insee,
                venue_id=venue.id if venue else None,
                photo_keys=keys,
            ),
            submit=bool(keys),
        )
        if keys:  # a published listing has at least one photo
            if listing.status == ListingStatus.AWAITING_REVIEW.value:
                apply_transition(listing, "approve", actor=moderator, now=created)
            if number % 15 == 7:
                apply_transition(listing, "reserve", actor=owner, now=created)
            listing.published_at = created  # backdated like its creation
        listing.created_at = listing.updated_at = created
        listings.append(listing)
    db.session.flush()
    photos = sum(1 for listing in listings if listing.photo_count)
    return (
        f"{len(listings)} annonces de démonstration ({photos} avec photo) "
        f"(mot de passe des comptes : {DEMO_PASSWORD})"
    )


def demo_members() -> list[User]:
    emails = [email for email, *_ in DEMO_ACCOUNTS if email != "admin@example.org"]
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    members = [existing[email] for email in emails if email in existing]
    password_hash = None
    for email, name, commune in DEMO_MEMBERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password_hash = password_hash or hash_password(DEMO_PASSWORD)
            user = User(
                email=email,
                display_name=name,
                role=Role.RESIDENT.value,
                home_commune_insee=commune,
                password_hash=password_hash,
                email_confirmed_at=utcnow(),
                terms_accepted_at=utcnow(),
            )
            db.session.add(user)
        members.append(user)
    db.session.flush()
    return members


def _kind_for(category, rng: random.Random) -> str:
    kinds = [ListingKind.GIFT.value, ListingKind.SALE.value, ListingKind.SALE.value]
    if category.lendable:
        kinds.append(ListingKind.LOAN.value)
    return rng.choice(kinds)


def _price_for(kind: str, new_price_euros: int, rng: random.Random) -> int | None:
    """A sale price between a fifth of the allowed maximum and the maximum (the configured cap)."""
    if kind != ListingKind.SALE.value:
        return None
    ceiling = services.price_cap_cents(new_price_euros * 100)
    return max(1, min(ceiling, max(50, int(ceiling * rng.uniform(0.2, 1.0)) // 50 * 50)))


def _age_group_for(audience: str, rng: random.Random) -> str:
    if audience in ("enfant", "junior"):
        return rng.choice(("u7", "u9", "u11", "u13") if audience == "enfant" else ("u15", "u17"))
    return "adult"


def _photo_maker() -> Callable[[str, int], object] | None:
    """A function drawing a simple picture for a listing, or None without Pillow or photos."""
    try:
        from PIL import Image, ImageDraw

        from sportressources.listings import photos
    except ImportError:
        return None

    palette = ((29, 78, 137), (196, 69, 54), (46, 125, 50), (237, 108, 2), (94, 53, 177))

    def make(title: str, number: int):
        background = palette[number % len(palette)]
        image = Image.new("RGB", (800, 600), background)
        draw = ImageDraw.Draw(image)
        draw.ellipse((250, 150, 550, 450), fill=(255, 255, 255), outline=(30, 30, 30), width=8)
        draw.rectangle((40, 500, 760, 560), fill=(255, 255, 255))
        draw.text((60, 515), title, fill=(20, 20, 20))
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        processed = photos.process_upload(buffer.getvalue(), f"demo-{number}.png")
        # Written when the listing that uses it commits
        return photos.store_after_commit(processed), processed.width, processed.height

    return make


# --- Synthetic data for benchmarks --------------------------------------------------------------
