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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, text

from sportressources.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.cli import initial_data_loaders
from sportressources.core.db import db, transaction, utcnow
from sportressources.core.security import Role
from sportressources.core.states import apply_transition
from sportressources.geo.models import Commune
from sportressources.listings import services
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.search.index import (
    document_text,
    listing_search,
    prepared_document,
    taxonomy_labels,
)
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.venues.models import Venue, VenueStatus

demo_cli = AppGroup("demo", help="Données de démonstration et de test de charge.")

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


@demo_cli.command("seed")
@click.option(
    "--listings",
    "count",
    type=click.IntRange(min=1),
    default=None,
    help="Générer N annonces synthétiques (test de charge) au lieu des données de démonstration.",
)
@click.option(
    "--batch",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="Lignes par lot.",
)
@click.option("--seed", "random_seed", type=int, default=62, show_default=True)
def seed_command(count: int | None, batch: int, random_seed: int) -> None:
    """Add the demo data of every domain (idempotent), or N synthetic listings with --listings N."""
    if count is None:
        # Every demo loader the domains registered (accounts, listings, loans, conversations...)
        for loader in initial_data_loaders(current_app):
            if loader.demo_only:
                with transaction():
                    click.echo(f"{loader.name}: {loader.load() or 'rien à faire'}")
        return
    started = time.monotonic()

    def progress(done: int) -> None:
        elapsed = time.monotonic() - started
        click.echo(f"  {done} / {count} annonces ({elapsed:.0f} s)")

    with transaction():
        seed_synthetic_listings(
            count, batch=batch, rng=random.Random(random_seed), progress=progress
        )
    analyze()
    click.echo(f"{count} annonces synthétiques créées en {time.monotonic() - started:.0f} s.")


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
        return photos.store(processed), processed.width, processed.height

    return make


# --- Synthetic data for benchmarks --------------------------------------------------------------

# Words of descriptions, most common first: drawn with a Zipf-like skew (« de » is everywhere)
_DESCRIPTION_TEXT = """de le la et à en pour très bon état avec un une les des du est peu servi
    taille parfait enfant saison club entraînement vendu cause propre usure légère aucun défaut
    récupérer stade gymnase samedi matin soir semaine prix ferme négociable merci contact message
    sport débuter idéal famille fils fille grandi changé garage cave rangé lavé neuf jamais porté
    quelques traces marque origine notice housse sac complet pièces rechange facture garantie
    léger solide confortable chaud imperméable respirant réglable pliable rapide modèle couleur
    noir blanc rouge bleu vert jaune gris rose orange violet marine clair foncé motif logo
    taille-basse ajusté ample petit grand moyen long court haut bas avant arrière gauche droite
    compétition loisir débutant confirmé école association section équipe match tournoi
    championnat régional départemental Lens Liévin Béthune Bruay Hénin Carvin Noeux Harnes
    Avion Méricourt Sallaumines Billy Montigny Wingles Douvrin Auchel Lillers Isbergues"""
DESCRIPTION_WORDS = _DESCRIPTION_TEXT.split()
TITLE_EXTRAS = ("occasion", "comme neuf", "lot", "pack", "taille unique", "très bon état")
STATUS_WEIGHTS = (
    (ListingStatus.PUBLISHED.value, 90),
    (ListingStatus.RESERVED.value, 3),
    (ListingStatus.DRAFT.value, 2),
    (ListingStatus.AWAITING_REVIEW.value, 1),
    (ListingStatus.GIVEN.value, 1),
    (ListingStatus.SOLD.value, 2),
    (ListingStatus.WITHDRAWN.value, 1),
)
KIND_WEIGHTS = (
    (ListingKind.GIFT.value, 20),
    (ListingKind.LOAN.value, 15),
    (ListingKind.SALE.value, 65),
)
SYNTHETIC_EMAIL = "synthetique-{}@example.invalid"
LISTING_COLUMNS = (
    "id", "kind", "title", "description", "sport", "category", "size", "age_group", "condition",
    "brand", "price_cents", "new_price_cents", "safety_age_years", "safety_no_impact",
    "commune_insee", "venue_id", "latitude", "longitude", "owner_id", "status", "photo_count",
    "cover_photo", "review_note", "published_at", "created_at", "updated_at",
)  # fmt: skip
SEARCH_COLUMNS = (
    "seq", "listing_id", "kind", "sport", "category", "size", "condition", "commune_insee",
    "zone_id", "venue_id", "price_cents", "has_photos", "latitude", "longitude", "visible_since",
    "document",
)  # fmt: skip


@dataclass(frozen=True)
class _Place:
    insee: str
    zone_id: int
    latitude: float
    longitude: float
    venue_id: int | None = None


def _cumulative(weights) -> list[float]:
    total, result = 0.0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result


def seed_synthetic_listings(
    count: int,
    batch: int = 10_000,
    rng: random.Random | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``count`` synthetic listings and their search rows in bulk; returns the count.

    Rows go in by batches (COPY on PostgreSQL, executemany on SQLite), ids following the
    largest existing one, created over the two years before now. Owners come from a pool of
    synthetic members, created when missing. Run ANALYZE afterwards (``analyze``).
    """
    rng = rng or random.Random(62)
    connection = db.session.connection()
    dialect = connection.dialect.name
    owners = _synthetic_owners(max(20, min(5000, count // 200)))
    places = _synthetic_places(rng)
    place_weights = _cumulative(1 / (rank + 1) ** 0.9 for rank in range(len(places)))
    word_weights = _cumulative(1 / (rank + 1) ** 1.05 for rank in range(len(DESCRIPTION_WORDS)))
    status_values, status_weights = zip(*STATUS_WEIGHTS, strict=True)
    status_cumulative = _cumulative(status_weights)
    kind_values, kind_weights = zip(*KIND_WEIGHTS, strict=True)
    kind_cumulative = _cumulative(kind_weights)
    labels = {
        (sport, category): taxonomy_labels(sport, category) for sport, category, *_ in CATALOGUE
    }
    first_id = (connection.execute(select(func.max(Listing.id))).scalar() or 0) + 1
    first_seq = (connection.execute(select(func.max(listing_search.c.seq))).scalar() or 0) + 1
    end = datetime.now(UTC)
    span = timedelta(days=730).total_seconds()
    seq = first_seq
    done = 0
    while done < count:
        size = min(batch, count - done)
        listing_rows, search_rows = [], []
        for offset in range(size):
            number = done + offset
            listing_id = first_id + number
            sport, category_code, noun, purpose, new_price = rng.choice(CATALOGUE)
            category = CATEGORIES[category_code]
            kind = rng.choices(kind_values, cum_weights=kind_cumulative)[0]
            if kind == ListingKind.LOAN.value and not category.lendable:
                kind = ListingKind.GIFT.value
            status = rng.choices(status_values, cum_weights=status_cumulative)[0]
            place = rng.choices(places, cum_weights=place_weights)[0]
            jitter_lat = rng.uniform(-0.01, 0.01) if place.venue_id is None else 0.0
            jitter_lon = rng.uniform(-0.015, 0.015) if place.venue_id is None else 0.0
            brand = rng.choice(BRANDS)
            size_value = rng.choice(category.sizes) if category.sizes else ""
            title = f"{noun} {rng.choice(AUDIENCES)} {size_value} {brand}".replace("  ", " ")
            if rng.random() < 0.3:
                title = f"{title} {rng.choice(TITLE_EXTRAS)}"
            words = rng.choices(DESCRIPTION_WORDS, cum_weights=word_weights, k=rng.randint(22, 38))
            description = f"{' '.join(words).capitalize()}. Parfait pour {purpose}."
            condition = "new" if category.new_only else rng.choice(("very_good", "good", "worn"))
            price = _price_for(kind, new_price, rng)
            created = end - timedelta(seconds=span * (1 - (number + 1) / count))
            photos = rng.random() < 0.6
            latitude = place.latitude + jitter_lat
            longitude = place.longitude + jitter_lon
            listing_rows.append(
                (
                    listing_id,
                    kind,
                    title[:120],
                    description,
                    sport,
                    category_code,
                    size_value,
                    "",
                    condition,
                    brand,
                    price,
                    new_price * 100,
                    rng.randint(1, 5) if category.safety else None,
                    True if category.safety else None,
                    place.insee,
                    place.venue_id,
                    latitude,
                    longitude,
                    rng.choice(owners),
                    status,
                    1 if photos else 0,
                    None,
                    "",
                    created if status in ("published", "reserved") else None,
                    created,
                    created,
                )  # fmt: skip
            )
            if status in ("published", "reserved"):
                document = prepared_document(
                    document_text(title, description, brand, labels[(sport, category_code)]),
                    dialect,
                )
                search_rows.append(
                    (
                        seq,
                        listing_id,
                        kind,
                        sport,
                        category_code,
                        size_value,
                        condition,
                        place.insee,
                        place.zone_id,
                        place.venue_id,
                        price or 0,
                        photos,
                        latitude,
                        longitude,
                        created,
                        document,
                    )  # fmt: skip
                )
                seq += 1
        _write_batch(connection, dialect, listing_rows, search_rows)
        done += size
        if progress is not None:
            progress(done)
    if dialect == "postgresql":
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('listings', 'id'), "
                "(SELECT max(id) FROM listings))"
            )
        )
        connection.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('listing_search', 'seq'), "
                "(SELECT max(seq) FROM listing_search))"
            )
        )
    return count


def _write_batch(connection, dialect: str, listing_rows: list, search_rows: list) -> None:
    raw = connection.connection.driver_connection
    if dialect == "postgresql":
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY listings ({', '.join(LISTING_COLUMNS)}) FROM STDIN") as copy:
                for row in listing_rows:
                    copy.write_row(row)
            cursor.execute(
                "CREATE TEMP TABLE IF NOT EXISTS search_staging "
                "(LIKE listing_search INCLUDING DEFAULTS) ON COMMIT DROP"
            )
            cursor.execute("ALTER TABLE search_staging ALTER COLUMN document TYPE text")
            cursor.execute("TRUNCATE search_staging")
            columns = ", ".join(SEARCH_COLUMNS)
            with cursor.copy(f"COPY search_staging ({columns}) FROM STDIN") as copy:
                for row in search_rows:
                    copy.write_row(row)
            selected = columns.replace("document", "to_tsvector('french', document)")
            cursor.execute(
                f"INSERT INTO listing_search ({columns}) SELECT {selected} FROM search_staging"
            )
        return
    cursor = raw.cursor()
    cursor.executemany(
        f"INSERT INTO listings ({', '.join(LISTING_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(LISTING_COLUMNS))})",
        [_sqlite_row(row) for row in listing_rows],
    )
    cursor.executemany(
        f"INSERT INTO listing_search ({', '.join(SEARCH_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(SEARCH_COLUMNS))})",
        [_sqlite_row(row) for row in search_rows],
    )
    cursor.close()


def _sqlite_row(row: tuple) -> tuple:
    # Naive UTC text, as UTCDateTime stores it on SQLite
    return tuple(
        value.replace(tzinfo=None).isoformat(" ") if isinstance(value, datetime) else value
        for value in row
    )


def _synthetic_owners(size: int) -> list[int]:
    existing = list(
        db.session.scalars(
            select(User.id).where(User.email.like(SYNTHETIC_EMAIL.format("%"))).order_by(User.id)
        )
    )
    if len(existing) >= size:
        return existing[:size]
    communes = list(db.session.scalars(select(Commune.insee).order_by(Commune.insee)))
    now = utcnow()
    rows = [
        {
            "email": SYNTHETIC_EMAIL.format(number),
            "display_name": f"Membre synthétique {number}",
            # Not a hash any password can match: these accounts cannot sign in
            "password_hash": "!synthetic",
            "role": Role.RESIDENT.value,
            "locale": "fr",
            "session_token": f"synthetic-{number}-{random.getrandbits(64):x}",
            "home_commune_insee": communes[number % len(communes)],
            "email_confirmed_at": now,
            "terms_accepted_at": now,
            "created_at": now,
            "updated_at": now,
        }
        for number in range(len(existing), size)
    ]
    db.session.execute(User.__table__.insert(), rows)
    return list(
        db.session.scalars(
            select(User.id).where(User.email.like(SYNTHETIC_EMAIL.format("%"))).order_by(User.id)
        )
    )[:size]


def _synthetic_places(rng: random.Random) -> list[_Place]:
    """Communes (most populous first, for the skew) and, after them, the pickup venues."""
    communes = db.session.execute(
        select(Commune.insee, Commune.zone_id, Commune.latitude, Commune.longitude).order_by(
            Commune.population.desc().nulls_last(), Commune.insee
        )
    ).all()
    zone_of = {insee: zone_id for insee, zone_id, *_ in communes}
    places = [_Place(insee, zone, lat, lon) for insee, zone, lat, lon in communes]
    venues = db.session.execute(
        select(Venue.id, Venue.commune_insee, Venue.latitude, Venue.longitude)
        .where(Venue.status == VenueStatus.PUBLISHED.value, Venue.pickup)
        .order_by(Venue.id)
    ).all()
    # Venues interleave with communes so that about a fifth of listings sit at a venue
    for position, (venue_id, insee, lat, lon) in enumerate(venues):
        index = min(len(places), 1 + position * 3)
        places.insert(index, _Place(insee, zone_of[insee], lat, lon, venue_id))
    return places


def analyze() -> None:
    """Refresh the planner's statistics after a bulk load."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE listings; ANALYZE listing_search")
            )
        else:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
