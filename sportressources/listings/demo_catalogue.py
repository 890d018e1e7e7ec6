"""What the demo listings describe: items a family of the Artois would pass on, each with the
audiences it suits, the sizes those audiences wear, the brands that make it and its price new.

``flask demo seed`` draws its sixty listings from here (``listings.demo``), so that a title, its
size, its audience and its brand agree: crampons in 32 for a child, a 29" mountain bike for an
adult, Babolat on rackets and never on a bike.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Who an item is for, and the age groups (taxonomy.AGE_GROUPS) of each band
BANDS: dict[str, tuple[str, ...]] = {
    "enfant": ("u7", "u9", "u11", "u13"),
    "junior": ("u15", "u17"),
    "adulte": ("adult",),
}

# Sizes each band wears, per size system (taxonomy.SIZE_SYSTEMS); an item may narrow them
BAND_SIZES: dict[str, dict[str, tuple[str, ...]]] = {
    "shoe_eu": {
        "enfant": ("28", "29", "30", "31", "32", "33", "34"),
        "junior": ("35", "36", "37", "38", "39"),
        "adulte": ("38", "39", "40", "41", "42", "43", "44", "45"),
    },
    "clothing": {
        "enfant": ("6 ans", "8 ans", "10 ans", "12 ans"),
        "junior": ("14 ans", "16 ans", "XS", "S"),
        "adulte": ("S", "M", "L", "XL"),
    },
    "bike_wheel": {
        "enfant": ('16"', '20"'),
        "junior": ('24"', '26"'),
        "adulte": ('27,5"', '28"', '29"'),
    },
    "glove_oz": {"enfant": ("6", "8"), "junior": ("8", "10"), "adulte": ("10", "12", "14")},
    "racket": {"enfant": ('21"', '23"', '25"'), "junior": ('26"',), "adulte": ("Adulte",)},
    "helmet": {"enfant": ("XS", "S"), "junior": ("S", "M"), "adulte": ("M", "L", "XL")},
}


@dataclass(frozen=True)
class Item:
    """One kind of demo item. ``title`` reads as a listing title; ``details`` is a sentence of its
    description; ``sizes`` narrows ``BAND_SIZES`` per band (a size-4 ball for children)."""

    sport: str
    category: str
    title: str
    details: str
    bands: tuple[str, ...]
    brands: tuple[str, ...]
    new_price: int
    drawing: str = ""  # demo_illustrations name; empty for the category's own
    sizes: dict[str, tuple[str, ...]] = field(default_factory=dict)


# fmt: off
ITEMS: tuple[Item, ...] = (
    Item("football", "chaussures", "Chaussures de foot à crampons moulés",
         "Crampons moulés pour terrain synthétique ou herbe sèche, semelle intacte.",
         ("enfant", "junior", "adulte"), ("Kipsta", "Adidas", "Nike", "Puma"), 60),
    Item("football", "ballons", "Ballon de football",
         "Ballon cousu, tient bien la pression, quelques traces d’usure.",
         ("enfant", "junior", "adulte"), ("Kipsta", "Adidas", "Nike"), 25,
         drawing="ballon_football",
         sizes={"enfant": ("3", "4"), "junior": ("4", "5"), "adulte": ("5",)}),
    Item("football", "protections", "Protège-tibias avec chaussettes",
         "Coques rigides et chevillères, lavés et séchés.",
         ("enfant", "junior"), ("Kipsta", "Adidas", "Nike"), 15),
    Item("football", "vetements", "Maillot et short de foot",
         "Ensemble d’entraînement respirant, sans accroc.",
         ("enfant", "junior", "adulte"), ("Kipsta", "Adidas", "Puma"), 35),
    Item("football", "materiel_collectif", "Lot de 20 plots et 10 chasubles",
         "Pour les séances d’entraînement ou un tournoi de quartier.",
         ("adulte",), ("Kipsta", "Décathlon Pro"), 35),
    Item("athletisme", "chaussures", "Pointes d’athlétisme",
         "Pointes de sprint avec la clé et des clous de rechange.",
         ("junior", "adulte"), ("Asics", "Nike", "Kalenji"), 70),
    Item("athletisme", "vetements", "Survêtement d’échauffement",
         "Veste zippée et pantalon, coupe droite.",
         ("enfant", "junior", "adulte"), ("Kalenji", "Adidas", "Asics"), 45),
    Item("natation", "maillots_bain", "Maillot de bain de compétition",
         "Neuf avec son étiquette : acheté dans la mauvaise taille.",
         ("enfant", "junior", "adulte"), ("Nabaiji", "Arena", "Speedo"), 30),
    Item("natation", "autre", "Planche et pull-buoy",
         "Le duo des longueurs d’entraînement, mousse en bon état.",
         ("enfant", "junior", "adulte"), ("Nabaiji", "Arena"), 20, drawing="planche"),
    Item("cyclisme", "velos", "Vélo enfant",
         "Freins réglés, pneus regonflés, petites roues fournies pour le 16 pouces.",
         ("enfant",), ("Btwin", "Decathlon", "Scott"), 180),
    Item("cyclisme", "velos", "VTT",
         "Suspension avant, 21 vitesses, révisé au printemps.",
         ("junior", "adulte"), ("Rockrider", "Btwin", "Lapierre", "Scott"), 350, drawing="vtt"),
    Item("cyclisme", "velos", "Vélo de route",
         "Cadre aluminium, groupe Shimano, idéal pour les sorties du dimanche.",
         ("adulte",), ("Van Rysel", "Btwin", "Lapierre"), 600, drawing="velo_route",
         sizes={"adulte": ('28"',)}),
    Item("cyclisme", "casques", "Casque de vélo",
         "Molette de réglage, jamais tombé.",
         ("enfant", "junior", "adulte"), ("Btwin", "Abus", "Giro"), 45),
    Item("cyclisme", "accessoires_velo", "Pompe à pied pour vélo",
         "Manomètre lisible, embout double valve.",
         ("adulte",), ("Btwin", "Topeak", "SKS"), 25),
    Item("cyclisme", "sieges_velo_enfant", "Siège vélo enfant arrière",
         "Harnais trois points et repose-pieds réglables, fixation sur porte-bagages.",
         ("enfant",), ("Btwin", "Hamax", "Polisport"), 80),
    Item("tennis", "raquettes", "Raquette de tennis",
         "Cordage refait l’an dernier, grip neuf, avec sa housse.",
         ("enfant", "junior", "adulte"), ("Artengo", "Babolat", "Head", "Wilson"), 90,
         drawing="raquette_tennis"),
    Item("tennis", "sacs", "Sac thermobag de tennis",
         "Trois compartiments dont un isotherme pour les cordages.",
         ("junior", "adulte"), ("Babolat", "Head", "Wilson"), 55),
    Item("tennis_de_table", "raquettes", "Raquette de ping-pong",
         "Revêtements encore adhérents, avec deux balles.",
         ("adulte",), ("Pongori", "Cornilleau", "Butterfly"), 30, drawing="raquette_ping_pong"),
    Item("badminton", "raquettes", "Raquette de badminton",
         "Cadre léger, cordage d’origine tendu, avec trois volants.",
         ("junior", "adulte"), ("Perfly", "Yonex", "Babolat"), 40, drawing="raquette_badminton"),
    Item("basket", "ballons", "Ballon de basket",
         "Grip intérieur-extérieur, tient la pression.",
         ("enfant", "junior", "adulte"), ("Tarmak", "Spalding", "Molten", "Wilson"), 30,
         drawing="ballon_basket",
         sizes={"enfant": ("5",), "junior": ("6", "7"), "adulte": ("7",)}),
    Item("basket", "chaussures", "Chaussures de basket montantes",
         "Maintien de la cheville, semelle qui accroche encore bien.",
         ("junior", "adulte"), ("Tarmak", "Nike", "Adidas"), 90, drawing="chaussure_montante"),
    Item("handball", "ballons", "Ballon de handball",
         "Toucher souple, idéal pour l’entraînement.",
         ("enfant", "junior", "adulte"), ("Kipsta", "Hummel", "Select"), 25,
         drawing="ballon_handball",
         sizes={"enfant": ("0", "1"), "junior": ("2",), "adulte": ("3",)}),
    Item("volley", "protections", "Genouillères de volley",
         "Mousse épaisse, élastiques encore fermes.",
         ("junior", "adulte"), ("Allsix", "Mizuno", "Asics"), 25),
    Item("volley", "ballons", "Ballon de volley",
         "Ballon de salle, panneaux thermocollés.",
         ("junior", "adulte"), ("Allsix", "Mikasa", "Molten"), 30, drawing="ballon_volley",
         sizes={"junior": ("4", "5"), "adulte": ("5",)}),
    Item("rugby", "ballons", "Ballon de rugby",
         "Bon grip, valve neuve.",
         ("enfant", "junior", "adulte"), ("Offload", "Gilbert"), 25, drawing="ballon_rugby",
         sizes={"enfant": ("3", "4"), "junior": ("4", "5"), "adulte": ("5",)}),
    Item("rugby", "protege_dents", "Protège-dents thermoformable",
         "Neuf sous blister, jamais moulé.",
         ("enfant", "junior", "adulte"), ("Offload", "Gilbert", "Opro"), 20),
    Item("gymnastique", "vetements", "Justaucorps de gymnastique",
         "Tissu brillant sans fil tiré, porté pour deux galas.",
         ("enfant", "junior"), ("Domyos", "Gymfashion"), 35, drawing="justaucorps"),
    Item("gymnastique", "fitness", "Tapis de gym pliable",
         "Quatre panneaux, housse lavable.",
         ("adulte",), ("Domyos", "Gymnova"), 60, drawing="tapis"),
    Item("danse", "chaussures", "Demi-pointes de danse",
         "Semelle fendue en cuir, élastiques cousus.",
         ("enfant", "junior"), ("Domyos", "Repetto", "Bloch"), 25, drawing="chaussons_danse"),
    Item("randonnee_trail", "chaussures", "Chaussures de randonnée imperméables",
         "Semelle crantée, parfaites pour les terrils et la côte d’Opale.",
         ("enfant", "junior", "adulte"), ("Quechua", "Salomon", "Merrell"), 110),
    Item("randonnee_trail", "sacs", "Sac à dos de randonnée 30 L",
         "Dos ventilé, housse de pluie intégrée.",
         ("junior", "adulte"), ("Quechua", "Osprey", "Deuter"), 70),
    Item("randonnee_trail", "autre", "Paire de bâtons de marche nordique",
         "Réglables en hauteur, embouts caoutchouc fournis.",
         ("adulte",), ("Newfeel", "Leki", "Quechua"), 40, drawing="batons"),
    Item("fitness", "fitness", "Paire d’haltères réglables",
         "Deux barres et huit disques, de 2 à 10 kg chacun.",
         ("adulte",), ("Domyos", "Bodytone"), 40),
    Item("fitness", "fitness", "Banc de musculation inclinable",
         "Dossier réglable, pieds stables, housse sans déchirure.",
         ("adulte",), ("Domyos", "Bodytone"), 150, drawing="banc"),
    Item("sports_combat", "gants_combat", "Gants de boxe",
         "Mousse encore ferme, séchés après chaque séance.",
         ("enfant", "junior", "adulte"), ("Outshock", "Everlast", "Venum"), 50),
    Item("sports_combat", "vetements", "Kimono de judo avec ceinture",
         "Coton épais, lavé à 30 °C, ceinture jaune offerte.",
         ("enfant", "junior", "adulte"), ("Outshock", "Fuji Mae", "Adidas"), 40, drawing="kimono"),
    Item("sports_combat", "coquilles", "Coquille de protection",
         "Neuve dans sa boîte, jamais portée.",
         ("junior", "adulte"), ("Outshock", "Venum"), 15),
    Item("escrime", "sacs", "Sac d’escrime à roulettes",
         "Assez long pour deux armes et la tenue complète.",
         ("junior", "adulte"), ("Allstar", "Uhlmann"), 90),
    Item("escalade", "escalade", "Baudrier d’escalade",
         "Quatre porte-matériel, boucles autobloquantes, jamais chuté dessus.",
         ("enfant", "junior", "adulte"), ("Simond", "Petzl", "Beal"), 60),
    Item("escalade", "chaussures", "Chaussons d’escalade",
         "Gomme encore accrocheuse, fermeture à scratch.",
         ("junior", "adulte"), ("Simond", "La Sportiva", "Scarpa"), 80, drawing="chaussons"),
    Item("equitation", "casques", "Bombe d’équitation",
         "Coque ventilée, norme VG1, jamais tombé.",
         ("enfant", "junior", "adulte"), ("Fouganza", "Uvex", "Kep"), 70, drawing="bombe"),
    Item("equitation", "chaussures", "Bottes d’équitation",
         "Caoutchouc souple, tirant de botte intact.",
         ("enfant", "junior", "adulte"), ("Fouganza", "Aigle"), 60, drawing="bottes"),
    Item("glisse", "glisse", "Paire de skis avec fixations",
         "Fixations réglées pour une chaussure de 300 mm, carres affûtées.",
         ("junior", "adulte"), ("Wedze", "Rossignol", "Salomon"), 250),
    Item("glisse", "glisse", "Skateboard complet",
         "Plateau 8 pouces, roulements changés cet été.",
         ("enfant", "junior", "adulte"), ("Oxelo", "Element", "Santa Cruz"), 80,
         drawing="skateboard"),
    Item("hockey", "glisse", "Rollers en ligne",
         "Roues de 80 mm, freins à talon, chaussons lavables.",
         ("enfant", "junior", "adulte"), ("Oxelo", "Rollerblade", "K2"), 90, drawing="rollers"),
    Item("hockey", "autre", "Crosse de hockey sur gazon",
         "Grip retendu, crosse sans fissure.",
         ("junior", "adulte"), ("Adidas", "Grays", "Kookaburra"), 45, drawing="crosse"),
    Item("multisport", "sacs", "Sac de sport 40 L",
         "Compartiment à chaussures séparé, bandoulière rembourrée.",
         ("junior", "adulte"), ("Kipsta", "Adidas", "Puma"), 30),
    Item("multisport", "autre", "Trottinette pliable",
         "Freine bien, guidon réglable en hauteur.",
         ("enfant", "junior"), ("Oxelo", "Micro"), 60, drawing="trottinette"),
)
# fmt: on
