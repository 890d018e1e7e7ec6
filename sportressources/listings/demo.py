"""``flask demo seed``: French demo listings for development, or many synthetic ones for benchmarks.

Without options it adds, once, a few demo members and sixty listings that read like a resident's:
drawn from ``demo_catalogue`` (titles, sizes, audiences and brands that agree), each with a
drawing of its gear (``demo_illustrations``) sent through the real photo pipeline, owned by
residents only (the demo club publishes its own gear, staff never publish). With ``--listings N``
it bulk-loads N synthetic listings (``synthetic``).
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select

from sportressources.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from sportressources.accounts.models import User
from sportressources.accounts.passwords import hash_password
from sportressources.core.db import db, utcnow
from sportressources.core.security import Role
from sportressources.core.states import apply_transition
from sportressources.geo.models import Commune
from sportressources.listings import services
from sportressources.listings.demo_catalogue import BAND_SIZES, BANDS, ITEMS, Item
from sportressources.listings.models import Listing, ListingKind, ListingStatus
from sportressources.listings.taxonomy import CATEGORIES, Category
from sportressources.venues.models import Venue, VenueStatus

CONDITIONS = ("very_good", "good", "good", "worn")

# How a resident starts a description, by who the item was for
OPENINGS: dict[str, tuple[str, ...]] = {
    "enfant": (
        "Mon fils a grandi, il ne s’en sert plus.",
        "Devenu trop petit pour ma fille après une saison.",
        "Notre petit dernier est passé à la taille au-dessus.",
    ),
    "junior": (
        "Ma fille a changé de sport, il dort au garage.",
        "Utilisé une saison au club par mon ado.",
        "Mon fils a grandi d’un coup cette année.",
    ),
    "adulte": (
        "Acheté l’an dernier, très peu servi.",
        "Je ne pratique plus depuis mon changement de travail.",
        "Récupéré lors d’un vide-grenier, jamais utilisé depuis.",
        "Idéal pour débuter sans se ruiner.",
    ),
}
NEW_OPENINGS = ("Acheté en double, jamais utilisé.", "Cadeau en double, encore emballé.")
HOME_CLOSINGS = (
    "Remise en main propre à {commune}, le soir après 18 h.",
    "À récupérer à {commune} le samedi matin.",
    "Je peux le déposer au stade de {commune} en semaine.",
)
VENUE_CLOSING = "À retirer à {venue}, rendez-vous à fixer par la messagerie du site."
# Demo accounts that publish in their own name: residents. The club's manager publishes in the
# club's name (trade.loans.organisation_demo); moderators and admins never publish.
RESIDENT_ACCOUNTS = ("camille@example.org", "yanis@example.org")
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

    Needs the territory; creates the demo accounts first when the database has none. Every
    listing goes through the listing service like a member's form (the price cap, the hygiene
    and safety rules hold for demo data too), then the demo moderator approves it.
    """
    load_demo_accounts()
    owners = demo_members()
    marker = db.session.scalar(
        select(func.count()).select_from(Listing).where(Listing.owner_id.in_(u.id for u in owners))
    )
    if marker:
        return "des annonces de démonstration existent déjà, rien à faire"
    communes = {c.insee: c for c in db.session.scalars(select(Commune))}
    pickup_venues: dict[str, list[Venue]] = {}
    for venue in db.session.scalars(
        select(Venue)
        .where(Venue.status == VenueStatus.PUBLISHED.value, Venue.pickup)
        .order_by(Venue.id)
    ):
        pickup_venues.setdefault(venue.commune_insee, []).append(venue)
    photo_maker = _photo_maker() if with_photos else None
    moderator = db.session.scalar(select(User).where(User.email == DEMO_MODERATOR))
    now = utcnow()
    listings = []
    for number in range(DEMO_LISTINGS):
        owner = owners[number % len(owners)]
        item = ITEMS[number % len(ITEMS)]
        commune = communes.get(owner.home_commune_insee or "") or communes["62498"]
        nearby = pickup_venues.get(commune.insee, [])
        venue = rng.choice(nearby) if nearby and rng.random() < 0.4 else None
        created = now - timedelta(days=rng.uniform(0, 60))
        data = _listing_data(item, rng, commune, venue)
        if photo_maker is not None:
            # A few listings with three photos, so that the carousel has something to show
            count = 3 if number % 5 == 2 else 1
            made = [
                photo_maker(
                    data.title, number * 3 + k, category=item.category, drawing=item.drawing
                )
                for k in range(count)
            ]
            data = dataclasses.replace(data, photo_keys=[key for key, *_size in made])
        listing = services.create_listing(owner, data, submit=bool(data.photo_keys))
        if data.photo_keys:  # a published listing has at least one photo
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


def _listing_data(
    item: Item, rng: random.Random, commune: Commune, venue: Venue | None
) -> services.ListingData:
    """A listing of ``item`` for one of its audiences, with a size that audience wears."""
    category = CATEGORIES[item.category]
    band = rng.choice(item.bands)
    size, age_group = _size_and_age_for(item, category, band, rng)
    brand = rng.choice(item.brands)
    kind = _kind_for(category, rng)
    opening = rng.choice(NEW_OPENINGS if category.new_only else OPENINGS[band])
    if venue is not None:
        closing = VENUE_CLOSING.format(venue=venue.name)
    else:
        closing = rng.choice(HOME_CLOSINGS).format(commune=commune.name)
    return services.ListingData(
        kind=kind,
        title=_title(item, band, brand, size, category)[:120],
        description=f"{opening} {item.details} {closing}",
        sport=item.sport,
        category=item.category,
        size=size,
        age_group=age_group,
        condition="new" if category.new_only else rng.choice(CONDITIONS),
        brand=brand,
        new_price_cents=item.new_price * 100,
        price_cents=_price_for(kind, item.new_price, rng),
        safety_age_years=rng.randint(1, 4) if category.safety else None,
        safety_no_impact=True if category.safety else None,
        commune_insee=venue.commune_insee if venue else commune.insee,
        venue_id=venue.id if venue else None,
    )


def _size_and_age_for(
    item: Item, category: Category, band: str, rng: random.Random
) -> tuple[str, str]:
    """A size of ``category`` that ``band`` wears and the age group that goes with it: the
    smallest sizes of a band for its youngest group."""
    groups = BANDS[band]
    allowed = category.sizes
    if not allowed:
        return "", rng.choice(groups)
    wanted = item.sizes.get(band) or BAND_SIZES.get(category.size_system or "", {}).get(band, ())
    choices = [size for size in wanted if size in allowed]
    if not choices:  # a size list changed since this catalogue: the band's share of it
        share = max(1, len(allowed) // 3)
        start = {"enfant": 0, "junior": share}.get(band, len(allowed) - share)
        choices = allowed[start : start + share]
    index = rng.randrange(len(choices))
    return choices[index], groups[min(len(groups) - 1, index * len(groups) // len(choices))]


# How a title says a size, per size system; a system missing here leaves the size to the facts
SIZE_IN_TITLE = {
    "shoe_eu": ", pointure {size}",
    "clothing": ", taille {size}",
    "ball": ", taille {size}",
    "bike_wheel": " {size}",
    "glove_oz": " {size} oz",
    "helmet": ", taille {size}",
}


def _title(item: Item, band: str, brand: str, size: str, category: Category) -> str:
    title = item.title
    if len(item.bands) > 1 and band not in title.lower():
        title = f"{title} {band}"
    title = f"{title} {brand}"
    pattern = SIZE_IN_TITLE.get(category.size_system or "")
    if size and pattern:
        title += pattern.format(size=size)
    return title


def demo_members() -> list[User]:
    """The residents who own the demo listings: Camille and Yanis of the README, and six
    members created here. Never staff, never the club's account (it publishes for the club)."""
    existing = {
        u.email: u
        for u in db.session.scalars(select(User).where(User.email.in_(RESIDENT_ACCOUNTS)))
    }
    members = [
        existing[email]
        for email in RESIDENT_ACCOUNTS
        if email in existing and existing[email].role == Role.RESIDENT.value
    ]
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


def _photo_maker() -> Callable[..., tuple[str, int, int]]:
    """A function that draws the gear of a listing and stores it like an upload: called with a
    title (for the file name), a variant number, and the category or the drawing to use;
    returns the storage key and the stored size. The files are written when the listing that
    uses them commits."""
    from sportressources.listings import photos
    from sportressources.listings.demo_illustrations import drawing_for, render

    def make(title: str, number: int, *, category: str = "autre", drawing: str = ""):
        png = render(drawing_for(category, drawing), number)
        processed = photos.process_upload(png, f"demo-{number}.png")
        return photos.store_after_commit(processed), processed.width, processed.height

    return make
