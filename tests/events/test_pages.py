"""The event pages: the list and its filters, an event's page with what is tied to it, the forms
and who may use them, the iCal feed."""

from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from sportressources.core.dates import PARIS, paris_today
from sportressources.core.db import db
from sportressources.core.security import Role
from sportressources.drives import services as drive_services
from sportressources.events import services
from sportressources.events.models import Event
from sportressources.listings.models import Listing
from tests.events.conftest import event_data
from tests.factories import make_listing, make_organisation, make_user
from tests.fixtures.web import sign_in, text
from tests.listings.helpers import form_data


def form(day: date, **changes) -> dict:
    values = {
        "title": "Route du Louvre",
        "starts_on": day.strftime("%d/%m/%Y"),
        "ends_on": "",
        "all_day": "y",
        "venue": "",
        "commune": "62498",
        "sports": ["athletisme"],
        "description": "Marathon et courses.",
        "website": "https://example.org/route",
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def past_event(admin, title: str, days_ago: int = 10) -> Event:
    event = services.create_event(admin, event_data(title=title))
    day = paris_today() - timedelta(days=days_ago)
    event.starts_on = event.ends_on = day
    event.starts_at = datetime.combine(day, event.starts_at.astimezone(PARIS).time(), tzinfo=PARIS)
    event.ends_at = event.starts_at + timedelta(hours=4)
    db.session.commit()
    return event


# --- the list -------------------------------------------------------------------------------------


def test_list_shows_upcoming_first_and_past_on_their_own_tab(client, admin):
    later = services.create_event(
        admin,
        event_data(
            title="Trail des Pyramides Noires",
            starts_on=paris_today() + timedelta(days=90),
            ends_on=None,
            sports=["randonnee_trail"],
            commune_insee="62528",
        ),
    )
    soon = services.create_event(admin, event_data(title="Route du Louvre", commune_insee="62498"))
    past_event(admin, "Cross d’hiver")
    db.session.commit()
    page = text(client.get("/evenements"))
    assert page.index(soon.title) < page.index(later.title)
    assert "Cross d’hiver" not in page
    past = text(client.get("/evenements?periode=passes"))
    assert "Cross d’hiver" in past and "Route du Louvre" not in past


def test_list_filters_by_zone_and_sport(client, admin):
    services.create_event(
        admin,
        event_data(
            title="Trail des Pyramides Noires", sports=["randonnee_trail"], commune_insee="62528"
        ),
    )
    services.create_event(
        admin,
        event_data(title="Cyclo-cross de Béthune", sports=["cyclisme"], commune_insee="62119"),
    )
    db.session.commit()
    trail = text(client.get("/evenements?sport=randonnee_trail"))
    assert "Trail des Pyramides Noires" in trail and "Cyclo-cross" not in trail
    from sportressources.geo.models import Commune

    zone = db.session.get(Commune, "62119").zone
    bethune = text(client.get(f"/evenements?zone={zone.slug}"))
    assert "Cyclo-cross de Béthune" in bethune and "Trail des Pyramides" not in bethune


@pytest.mark.parametrize(
    "query", ["zone=<script>", "sport=%00", "periode=' OR 1=1", "zone=x" * 200]
)
def test_list_ignores_malicious_filters(client, admin, query):
    services.create_event(admin, event_data())
    db.session.commit()
    response = client.get(f"/evenements?{query}")
    assert response.status_code == 200 and "<script>" not in text(response).split("</header>")[-1]


# --- an event's page ------------------------------------------------------------------------------


def test_event_page_shows_dates_place_and_organiser(client, event):
    page = text(client.get(f"/evenements/{event.slug}"))
    assert event.title in page and "Aréna stade couvert de Liévin" in page
    assert "18:00" in page and "22:00" in page
    assert "Liévin Athlétisme" in page and "Athlétisme" in page


def test_unknown_event_is_404(client):
    assert client.get("/evenements/nulle-part").status_code == 404


def test_event_page_lists_the_tied_drive_and_published_listings_only(client, event, club, manager):
    today = paris_today()
    drive_services.create_drive(
        manager,
        club,
        drive_services.DriveData(
            "Collecte de pointes", today, today + timedelta(days=10), event_id=event.id
        ),
    )
    published = make_listing(title="Pointes d’athlétisme taille 40", event_id=event.id)
    make_listing(title="Brouillon de pointes", status="draft", event_id=event.id)
    make_listing(title="Pointes sans lien")
    db.session.commit()
    page = text(client.get(f"/evenements/{event.slug}"))
    assert "Collecte de pointes" in page
    assert published.title.replace("’", "&#39;") in page or published.title in page
    assert "Brouillon de pointes" not in page and "Pointes sans lien" not in page


# --- adding and editing -------------------------------------------------------------------------


def test_admin_adds_an_event_through_the_form(client, admin):
    sign_in(client, admin)
    day = paris_today() + timedelta(days=40)
    response = client.post("/evenements/nouveau", data=form(day, organisation=""))
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert response.headers["Location"].endswith(f"/evenements/{event.slug}")
    page = text(client.get(response.headers["Location"]))
    assert "L’événement est publié." in page and "Route du Louvre" in page


def test_manager_adds_an_event_for_their_club(client, club, manager):
    sign_in(client, manager)
    assert "Ajouter un événement" in text(client.get("/evenements"))
    response = client.post(
        "/evenements/nouveau",
        data=form(paris_today() + timedelta(days=5), organisation=str(club.id)),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Event.organisation_id)) == club.id


@pytest.mark.parametrize("who", ["resident", "unverified", "volunteer"])
def test_others_get_403_on_the_form(client, club, who):
    from tests.factories import add_member

    user = make_user()
    if who == "unverified":
        make_organisation(manager=user, status="pending")
    elif who == "volunteer":
        add_member(club, user)
    sign_in(client, user)
    assert "Ajouter un événement" not in text(client.get("/evenements"))
    assert client.get("/evenements/nouveau").status_code == 403
    response = client.post(
        "/evenements/nouveau", data=form(paris_today(), organisation=str(club.id))
    )
    assert response.status_code == 403
    assert db.session.scalar(select(Event.id)) is None


def test_visitor_is_sent_to_sign_in(client):
    response = client.get("/evenements/nouveau")
    assert response.status_code == 302 and "/compte/connexion" in response.headers["Location"]


def test_refused_form_keeps_what_was_typed_and_says_why_in_french(client, admin):
    sign_in(client, admin)
    day = paris_today() + timedelta(days=3)
    response = client.post(
        "/evenements/nouveau",
        data=form(
            day,
            ends_on=(day - timedelta(days=1)).strftime("%d/%m/%Y"),
            all_day="",
            start_time="",
            description="Tout le programme",
        ),
    )
    assert response.status_code == 422
    page = text(response)
    assert "Le dernier jour ne peut pas précéder le premier." in page
    assert "Indiquez l’heure de début, ou cochez « Toute la journée »." in page
    assert 'value="Route du Louvre"' in page and "Tout le programme" in page
    assert 'value="https://example.org/route"' in page
    assert db.session.scalar(select(Event.id)) is None


def test_manager_edits_their_event_and_a_resident_may_not(client, event, manager):
    sign_in(client, manager)
    page = text(client.get(f"/evenements/{event.slug}/modifier"))
    assert 'value="18:00"' in page
    day = event.starts_on
    response = client.post(
        f"/evenements/{event.slug}/modifier",
        data=form(day, title="Meeting de Liévin", organisation=str(event.organisation_id)),
    )
    assert response.status_code == 302
    assert db.session.get(Event, event.id).title == "Meeting de Liévin"
    client.post("/compte/deconnexion")
    other = make_user()
    sign_in(client, other)
    assert client.get(f"/evenements/{event.slug}/modifier").status_code == 403


def test_cancel_asks_first_then_marks_the_event(client, event, manager):
    sign_in(client, manager)
    question = client.post(f"/evenements/{event.slug}/annuler")
    assert question.status_code == 200 and "Oui, annuler" in text(question)
    assert db.session.get(Event, event.id).status == "published"
    done = client.post(f"/evenements/{event.slug}/annuler", data={"confirmed": "yes"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "cancelled"
    assert "Cet événement est annulé." in text(client.get(f"/evenements/{event.slug}"))


def test_only_moderators_may_remove(client, event, manager):
    sign_in(client, manager)
    assert client.post(f"/evenements/{event.slug}/supprimer").status_code == 403
    client.post("/compte/deconnexion")
    sign_in(client, make_user(role=Role.MODERATOR))
    event_id = event.id
    done = client.post(f"/evenements/{event.slug}/supprimer", data={"confirmed": "yes"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event_id) is None


def test_a_form_without_csrf_token_is_refused(app, client, admin):
    sign_in(client, admin)
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/evenements/nouveau", data=form(paris_today()))
    assert response.status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(Event.id)) is None


# --- drives and listings tied to an event --------------------------------------------------------


def test_drive_form_offers_upcoming_events_and_refuses_others(client, event, club, manager, admin):
    past = past_event(admin, "Cross d’hiver")
    sign_in(client, manager)
    page = text(client.get("/collectes/nouvelle"))
    assert event.title in page and "Cross d’hiver" not in page
    today = paris_today()
    data = {
        "organisation": str(club.id),
        "title": "Collecte de pointes",
        "starts_on": today.strftime("%d/%m/%Y"),
        "ends_on": (today + timedelta(days=5)).strftime("%d/%m/%Y"),
        "event": str(past.id),
    }
    refused = client.post("/collectes/nouvelle", data=data)
    assert refused.status_code == 422
    assert "Choisissez une valeur dans la liste." in text(refused)
    assert 'value="Collecte de pointes"' in text(refused)
    response = client.post("/collectes/nouvelle", data=data | {"event": str(event.id)})
    assert response.status_code == 302
    from sportressources.drives.models import Drive

    assert db.session.scalar(select(Drive.event_id)) == event.id


def test_listing_form_ties_a_draft_to_an_event(client, event):
    resident = make_user()
    sign_in(client, resident)
    assert event.title in text(client.get("/annonces/nouvelle"))
    bad = form_data(action="draft", listing_event_shown="1", listing_event="999999")
    refused = client.post("/annonces/nouvelle", data=bad)
    assert refused.status_code == 422
    assert "Choisissez un événement à venir dans la liste." in text(refused)
    good = form_data(action="draft", listing_event_shown="1", listing_event=str(event.id))
    assert client.post("/annonces/nouvelle", data=good).status_code == 302
    assert db.session.scalar(select(Listing.event_id)) == event.id


# --- the iCal feed --------------------------------------------------------------------------------


def test_ical_feed_holds_each_event_with_paris_times_and_all_day_dates(client, event, admin):
    all_day = services.create_event(
        admin,
        event_data(
            title="Route du Louvre",
            all_day=True,
            start_time=None,
            end_time=None,
            commune_insee="62498",
        ),
    )
    services.cancel_event(admin, all_day)
    db.session.commit()
    response = client.get("/evenements.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    vevents = {str(c["summary"]): c for c in calendar.walk("VEVENT")}
    meeting = vevents[event.title]
    assert meeting["uid"] == f"event-{event.id}@localhost" or str(meeting["uid"]).startswith(
        f"event-{event.id}@"
    )
    start = meeting.decoded("dtstart")
    assert start.tzinfo is not None and str(start.tzinfo) == "Europe/Paris"
    assert (start.hour, start.minute) == (18, 0)
    assert meeting.decoded("dtend").hour == 22
    assert str(meeting["location"]) == "Aréna stade couvert de Liévin, Liévin"
    assert str(meeting["url"]).endswith(f"/evenements/{event.slug}")
    assert str(meeting["status"]) == "CONFIRMED"
    route = vevents["Route du Louvre"]
    assert route.decoded("dtstart") == all_day.starts_on
    assert route.decoded("dtend") == all_day.starts_on + timedelta(days=1)
    assert str(route["status"]) == "CANCELLED"
    assert "Lens" in str(route["location"])
    # The same event keeps its UID from one download to the next
    again = Calendar.from_ical(client.get("/evenements.ics").data)
    assert {str(c["uid"]) for c in again.walk("VEVENT")} == {
        str(c["uid"]) for c in vevents.values()
    }


def test_a_tied_listing_links_to_its_event(client, event):
    listing = make_listing(title="Pointes d’athlétisme", event_id=event.id)
    page = text(client.get(f"/annonces/{listing.id}"))
    assert f'href="/evenements/{event.slug}"' in page and "Pour l’événement" in page


def test_the_list_runs_a_fixed_number_of_queries(client, event, club, manager, count_queries):
    client.get("/evenements")
    with count_queries() as few:
        client.get("/evenements")
    for n in range(4):
        services.create_event(
            manager, event_data(title=f"Meeting numéro {n}", organisation_id=club.id)
        )
    db.session.commit()
    with count_queries() as many:
        page = text(client.get("/evenements"))
    assert "Meeting numéro 3" in page
    assert len(many) == len(few)
