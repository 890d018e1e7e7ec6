"""Synthetic listings for benchmarks (`flask demo seed --listings N`): bulk rows written straight
into the tables and the search index, fast enough for a million; never for people to read."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from sportressources.accounts.models import User
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from sportressources.geo.models import Commune
from sportressources.listings.demo import _price_for
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.search.index import (
    document_text,
    listing_search,
    prepared_document,
    taxonomy_labels,
)
from sportressources.listings.taxonomy import CATEGORIES
from sportressources.venues.models import Venue, VenueStatus

# The vocabulary of synthetic listings (kept as it was when benchmarks/README.md was measured):
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
AUDIENCES = ("enfant", "junior", "femme", "homme", "adulte")
BRANDS = (
    "Decathlon", "Kipsta", "Btwin", "Rockrider", "Domyos", "Artengo", "Kalenji", "Nabaiji",
    "Quechua", "Adidas", "Nike", "Puma", "Asics", "Head", "Wilson", "Babolat", "Yonex", "Mizuno",
    "Salomon", "Rossignol", "Petzl", "Oxelo", "Tarmak", "Allsix", "Outshock", "Simond", "Fouganza",
    "Wedze",
)  # fmt: skip
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
                    document_text(
                        title, description, brand, labels[(sport, category_code)], size_value
                    ),
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
