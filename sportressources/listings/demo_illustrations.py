"""Simple drawings of sports gear for the demo listings: one per category (a shoe, a ball, a
bike…), and a few per sport (a rugby ball is not a football), drawn with Pillow as a PNG that the
demo then sends through the real photo pipeline, like a member's upload.

Each drawing works in a 100 × 100 square of design units; ``render`` places it on a coloured
background, shifted and scaled a little by ``variant``, so that no two demo photos are the same
file and the moderators' duplicate-photo flag stays quiet.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 800, 600
BACKGROUNDS = (
    (214, 231, 245), (250, 226, 207), (221, 240, 221), (244, 230, 245), (255, 243, 205),
    (228, 232, 240), (208, 238, 236),
)  # fmt: skip
INK = (33, 37, 41)
WHITE = (255, 255, 255)
COLOURS = ((29, 78, 137), (196, 69, 54), (46, 125, 50), (237, 108, 2), (94, 53, 177), (0, 121, 140))


class Pen:
    """Draws in design units (0–100 on both axes) onto a square placed on the canvas."""

    def __init__(self, draw: ImageDraw.ImageDraw, left: float, top: float, side: float, colour):
        self.draw, self.left, self.top, self.unit, self.colour = draw, left, top, side / 100, colour

    def p(self, x: float, y: float) -> tuple[float, float]:
        return (self.left + x * self.unit, self.top + y * self.unit)

    def w(self, width: float) -> int:
        return max(1, round(width * self.unit))

    def box(self, x0, y0, x1, y1) -> tuple[float, float, float, float]:
        return (*self.p(x0, y0), *self.p(x1, y1))

    def ellipse(self, x0, y0, x1, y1, fill=None, outline=INK, width=1.5):
        self.draw.ellipse(self.box(x0, y0, x1, y1), fill=fill, outline=outline, width=self.w(width))

    def rect(self, x0, y0, x1, y1, fill=None, outline=INK, width=1.5, radius=3):
        self.draw.rounded_rectangle(
            self.box(x0, y0, x1, y1), radius=self.w(radius), fill=fill, outline=outline,
            width=self.w(width),
        )  # fmt: skip

    def polygon(self, points, fill=None, outline=INK, width=1.5):
        self.draw.polygon(
            [self.p(x, y) for x, y in points], fill=fill, outline=outline, width=self.w(width)
        )

    def line(self, points, fill=INK, width=1.5):
        self.draw.line(
            [self.p(x, y) for x, y in points], fill=fill, width=self.w(width), joint="curve"
        )

    def arc(self, x0, y0, x1, y1, start, end, fill=INK, width=1.5):
        self.draw.arc(self.box(x0, y0, x1, y1), start, end, fill=fill, width=self.w(width))

    def chord(self, x0, y0, x1, y1, start, end, fill=None, outline=INK, width=1.5):
        self.draw.chord(
            self.box(x0, y0, x1, y1), start, end, fill=fill, outline=outline, width=self.w(width)
        )


# --- the drawings -------------------------------------------------------------------------------


def shoe(pen: Pen, studs: bool = True, high: bool = False) -> None:
    top = 30 if high else 42
    pen.polygon([(8, 70), (8, top), (30, top - 4), (44, 52), (80, 56), (94, 64), (94, 72), (8, 72)],
                fill=pen.colour)  # fmt: skip
    pen.rect(6, 70, 96, 78, fill=INK, radius=2)
    for x in (20, 34, 48, 62):
        pen.line([(x, 56), (x + 8, 50)], fill=WHITE, width=2)
    if studs:
        for x in (14, 26, 60, 72, 86):
            pen.rect(x - 2, 78, x + 2, 84, fill=INK, radius=1)


def ball(pen: Pen, kind: str = "football") -> None:
    if kind == "rugby":
        pen.ellipse(10, 25, 90, 75, fill=(150, 90, 50))
        pen.line([(30, 50), (70, 50)], fill=WHITE, width=2)
        for x in (38, 46, 54, 62):
            pen.line([(x, 45), (x, 55)], fill=WHITE, width=1.5)
        return
    fill = {"basket": (230, 110, 30), "handball": (250, 210, 60), "volley": WHITE}.get(kind, WHITE)
    pen.ellipse(15, 15, 85, 85, fill=fill, width=2)
    if kind == "football":
        hexagon = [(50 + 12 * math.cos(a), 50 + 12 * math.sin(a)) for a in _angles(5, -90)]
        pen.polygon(hexagon, fill=INK)
        for x, y in hexagon:
            pen.line([(x, y), (50 + (x - 50) * 2.9, 50 + (y - 50) * 2.9)], width=1.5)
    elif kind == "basket":
        pen.line([(15, 50), (85, 50)], width=1.5)
        pen.line([(50, 15), (50, 85)], width=1.5)
        pen.arc(0, 20, 40, 80, -60, 60)
        pen.arc(60, 20, 100, 80, 120, 240)
    elif kind == "volley":
        for start in (0, 120, 240):
            pen.arc(20, 20, 80, 80, start, start + 90, fill=pen.colour, width=6)
    else:  # handball: panels
        pen.arc(25, 15, 75, 85, 90, 270, fill=pen.colour, width=3)
        pen.arc(25, 15, 75, 85, -90, 90, fill=pen.colour, width=3)


def _angles(count: int, start: float) -> list[float]:
    return [math.radians(start + index * 360 / count) for index in range(count)]


def racket(pen: Pen, kind: str = "tennis") -> None:
    if kind == "ping_pong":
        pen.ellipse(20, 10, 80, 70, fill=(200, 40, 40), width=2)
        pen.rect(44, 66, 56, 94, fill=(150, 100, 60))
        pen.ellipse(72, 70, 86, 84, fill=WHITE)
        return
    head = (30, 8, 70, 58) if kind == "tennis" else (36, 8, 64, 44)
    pen.ellipse(*head, fill=None, outline=pen.colour, width=4)
    x0, y0, x1, y1 = head
    for x in range(int(x0) + 5, int(x1) - 2, 5):
        pen.line([(x, y0 + 3), (x, y1 - 3)], fill=(120, 120, 120), width=0.6)
    for y in range(int(y0) + 5, int(y1) - 2, 5):
        pen.line([(x0 + 3, y), (x1 - 3, y)], fill=(120, 120, 120), width=0.6)
    pen.line([(50, y1), (50, 88)], fill=pen.colour, width=4)
    pen.rect(46, 74, 54, 94, fill=INK, radius=2)
    if kind == "tennis":
        pen.ellipse(72, 70, 90, 88, fill=(215, 230, 60))
    else:  # a shuttlecock
        pen.polygon([(74, 62), (90, 62), (86, 80), (78, 80)], fill=WHITE)
        pen.ellipse(77, 78, 87, 88, fill=INK)


def bike(pen: Pen, style: str = "ville") -> None:
    radius = 14 if style == "enfant" else 18
    for cx in (24, 76):
        pen.ellipse(
            cx - radius, 70 - radius, cx + radius, 70 + radius, width=3 if style == "vtt" else 2
        )
        pen.ellipse(cx - 2, 68, cx + 2, 72, fill=INK)
    frame = [(24, 70), (44, 70), (38, 44), (24, 70)] + [(44, 70), (70, 44), (38, 44)]
    pen.line(frame, fill=pen.colour, width=3)
    pen.line([(70, 44), (76, 70)], fill=pen.colour, width=3)
    pen.rect(32, 38, 44, 42, fill=INK, radius=1)  # saddle
    if style == "route":
        pen.arc(66, 34, 80, 48, -90, 90, width=2.5)
    else:
        pen.line([(68, 38), (80, 36)], width=3)  # straight bar
    if style == "vtt":
        pen.line([(72, 44), (74, 56)], fill=INK, width=4)  # fork suspension


def helmet(pen: Pen, riding: bool = False) -> None:
    pen.chord(14, 22, 86, 94, 180, 360, fill=pen.colour, width=2)
    if riding:
        pen.rect(48, 54, 94, 60, fill=INK, radius=2)  # peak
        pen.ellipse(46, 18, 54, 26, fill=INK)
    else:
        for x in (30, 44, 58):
            pen.rect(x, 34, x + 8, 50, fill=WHITE, radius=3)
    pen.line([(24, 58), (40, 80), (60, 80), (76, 58)], width=1.5)


def shirt(pen: Pen, sleeves: bool = True, belt: bool = False) -> None:
    body = [(30, 20), (42, 14), (58, 14), (70, 20), (88, 34), (78, 44), (70, 38), (70, 88),
            (30, 88), (30, 38), (22, 44), (12, 34)]  # fmt: skip
    if not sleeves:
        body = [(34, 14), (44, 14), (50, 24), (56, 14), (66, 14), (66, 60), (74, 88), (26, 88),
                (34, 60)]  # fmt: skip
    pen.polygon(body, fill=pen.colour, width=2)
    if belt:
        pen.rect(28, 56, 72, 62, fill=(240, 200, 40))
        pen.line([(50, 14), (50, 88)], fill=WHITE, width=1)
    elif sleeves:
        pen.ellipse(42, 40, 58, 56, fill=WHITE)


def shin_guards(pen: Pen) -> None:
    for x in (18, 54):
        pen.rect(x, 14, x + 28, 84, fill=pen.colour, radius=12, width=2)
        pen.rect(x + 6, 22, x + 22, 60, fill=WHITE, radius=6)


def pump(pen: Pen) -> None:
    pen.rect(44, 24, 56, 84, fill=pen.colour)
    pen.rect(30, 16, 70, 22, fill=INK)
    pen.rect(30, 84, 70, 90, fill=INK)
    pen.ellipse(52, 46, 66, 60, fill=WHITE)
    pen.arc(50, 40, 90, 90, 270, 90, width=2)


def harness(pen: Pen) -> None:
    pen.ellipse(14, 14, 86, 44, outline=pen.colour, width=5)
    pen.ellipse(18, 46, 46, 84, outline=pen.colour, width=4)
    pen.ellipse(54, 46, 82, 84, outline=pen.colour, width=4)
    pen.line([(50, 42), (50, 52)], width=3)
    pen.ellipse(42, 52, 58, 72, outline=(160, 160, 160), width=3)  # carabiner


def child_seat(pen: Pen) -> None:
    pen.rect(28, 10, 72, 66, fill=pen.colour, radius=10, width=2)
    pen.rect(24, 58, 76, 74, fill=pen.colour, radius=6, width=2)
    pen.line([(38, 18), (46, 60)], fill=INK, width=2.5)
    pen.line([(62, 18), (54, 60)], fill=INK, width=2.5)
    pen.rect(32, 74, 38, 92, fill=INK)
    pen.rect(62, 74, 68, 92, fill=INK)


def glove(pen: Pen) -> None:
    pen.ellipse(20, 10, 80, 66, fill=(200, 30, 40), width=2)
    pen.ellipse(12, 30, 34, 56, fill=(200, 30, 40), width=2)  # thumb
    pen.rect(28, 60, 72, 90, fill=WHITE, radius=4, width=2)
    pen.line([(28, 74), (72, 74)], width=1)


def cones(pen: Pen) -> None:
    for x, colour in ((10, (240, 120, 20)), (38, (250, 200, 20)), (66, pen.colour)):
        pen.polygon([(x + 12, 30), (x + 24, 80), (x, 80)], fill=colour, width=1.5)
        pen.rect(x - 4, 78, x + 28, 84, fill=colour, radius=1)


def dumbbells(pen: Pen) -> None:
    for y in (30, 66):
        pen.line([(24, y), (76, y)], width=4)
        for x in (16, 24, 68, 76):
            pen.rect(x - 4, y - 14, x + 4, y + 14, fill=pen.colour, radius=2)


def bench(pen: Pen) -> None:
    pen.polygon([(10, 56), (60, 56), (88, 24), (94, 30), (68, 62), (10, 62)], fill=pen.colour)
    pen.line([(20, 62), (14, 86)], width=4)
    pen.line([(56, 62), (62, 86)], width=4)
    pen.line([(6, 86), (70, 86)], width=4)


def skis(pen: Pen) -> None:
    for offset in (0, 14):
        pen.polygon([(30 + offset, 90), (38 + offset, 90), (52 + offset, 12), (46 + offset, 8)],
                    fill=pen.colour, width=1.5)  # fmt: skip
        pen.rect(36 + offset, 50, 48 + offset, 58, fill=INK, radius=1)


def skateboard(pen: Pen) -> None:
    pen.rect(6, 42, 94, 54, fill=pen.colour, radius=6, width=2)
    for x in (22, 72):
        pen.ellipse(x - 6, 56, x + 6, 68, fill=INK)
        pen.ellipse(x + 4, 56, x + 16, 68, fill=INK)


def roller(pen: Pen) -> None:
    shoe(pen, studs=False, high=True)
    pen.rect(10, 80, 92, 84, fill=(120, 120, 120))
    for x in (18, 38, 58, 78):
        pen.ellipse(x - 7, 80, x + 7, 94, fill=(250, 200, 20))


def bag(pen: Pen) -> None:
    pen.arc(30, 12, 70, 52, 180, 360, width=4)
    pen.rect(10, 32, 90, 84, fill=pen.colour, radius=10, width=2)
    pen.line([(16, 44), (84, 44)], fill=WHITE, width=2)
    pen.rect(44, 40, 56, 48, fill=INK, radius=1)


def mouthguard(pen: Pen) -> None:
    pen.arc(18, 18, 82, 82, 180, 360, fill=pen.colour, width=14)
    pen.rect(20, 48, 80, 56, fill=None, outline=INK, radius=2)
    pen.rect(26, 62, 74, 80, fill=WHITE, radius=4)  # its box


def swimsuit(pen: Pen) -> None:
    pen.polygon([(32, 12), (40, 12), (50, 30), (60, 12), (68, 12), (70, 56), (58, 86), (42, 86),
                 (30, 56)], fill=pen.colour, width=2)  # fmt: skip
    pen.ellipse(70, 66, 84, 78, fill=(120, 200, 230))  # goggles
    pen.ellipse(84, 66, 98, 78, fill=(120, 200, 230))


def cup(pen: Pen) -> None:
    pen.chord(20, 10, 80, 90, 0, 180, fill=pen.colour, width=2)
    pen.line([(20, 50), (8, 34)], width=3)
    pen.line([(80, 50), (92, 34)], width=3)


def stopwatch(pen: Pen) -> None:
    pen.ellipse(16, 20, 84, 88, fill=WHITE, outline=pen.colour, width=5)
    pen.rect(44, 8, 56, 20, fill=pen.colour)
    pen.line([(50, 54), (50, 30)], width=3)
    pen.line([(50, 54), (66, 62)], width=2)


def board(pen: Pen) -> None:
    pen.rect(20, 10, 66, 86, fill=pen.colour, radius=16, width=2)
    pen.polygon([(66, 44), (90, 40), (94, 60), (68, 64)], fill=(250, 200, 20))


def poles(pen: Pen) -> None:
    for x in (36, 56):
        pen.line([(x, 12), (x + 8, 90)], fill=pen.colour, width=3)
        pen.rect(x - 4, 10, x + 4, 26, fill=INK, radius=2)


def stick(pen: Pen) -> None:
    pen.line([(60, 8), (44, 74)], fill=(150, 100, 60), width=5)
    pen.arc(24, 62, 50, 90, 0, 200, fill=(150, 100, 60), width=5)
    pen.ellipse(66, 74, 78, 86, fill=WHITE)


def scooter(pen: Pen) -> None:
    pen.ellipse(8, 72, 24, 88, fill=INK)
    pen.ellipse(76, 72, 92, 88, fill=INK)
    pen.rect(16, 70, 70, 76, fill=pen.colour, radius=2)
    pen.line([(70, 73), (82, 14)], fill=pen.colour, width=4)
    pen.line([(72, 14), (92, 14)], width=4)


def mat(pen: Pen) -> None:
    for index in range(4):
        pen.rect(8 + index * 21, 40, 29 + index * 21, 70, fill=pen.colour, radius=2)


def slippers(pen: Pen, pink: bool = False) -> None:
    colour = (240, 170, 180) if pink else pen.colour
    pen.ellipse(10, 40, 56, 70, fill=colour, width=2)
    pen.ellipse(44, 30, 90, 60, fill=colour, width=2)
    pen.line([(24, 44), (38, 66)], fill=WHITE, width=2)
    pen.line([(58, 34), (72, 56)], fill=WHITE, width=2)


def boots(pen: Pen) -> None:
    pen.polygon([(30, 8), (52, 8), (54, 70), (84, 74), (86, 86), (30, 86)], fill=INK, width=2)
    pen.rect(28, 8, 54, 14, fill=pen.colour, radius=1)


Drawing = Callable[[Pen], None]
DRAWINGS: dict[str, Drawing] = {
    "chaussure": shoe,
    "chaussure_montante": lambda pen: shoe(pen, studs=False, high=True),
    "chaussons": lambda pen: slippers(pen),
    "chaussons_danse": lambda pen: slippers(pen, pink=True),
    "bottes": boots,
    "maillot": shirt,
    "justaucorps": lambda pen: shirt(pen, sleeves=False),
    "kimono": lambda pen: shirt(pen, belt=True),
    "protections": shin_guards,
    "ballon_football": ball,
    "ballon_basket": lambda pen: ball(pen, "basket"),
    "ballon_handball": lambda pen: ball(pen, "handball"),
    "ballon_volley": lambda pen: ball(pen, "volley"),
    "ballon_rugby": lambda pen: ball(pen, "rugby"),
    "raquette_tennis": racket,
    "raquette_badminton": lambda pen: racket(pen, "badminton"),
    "raquette_ping_pong": lambda pen: racket(pen, "ping_pong"),
    "velo": lambda pen: bike(pen, "enfant"),
    "vtt": lambda pen: bike(pen, "vtt"),
    "velo_route": lambda pen: bike(pen, "route"),
    "pompe": pump,
    "casque": helmet,
    "bombe": lambda pen: helmet(pen, riding=True),
    "baudrier": harness,
    "siege_enfant": child_seat,
    "gant_boxe": glove,
    "plots": cones,
    "halteres": dumbbells,
    "banc": bench,
    "tapis": mat,
    "skis": skis,
    "skateboard": skateboard,
    "rollers": roller,
    "sac": bag,
    "protege_dents": mouthguard,
    "maillot_bain": swimsuit,
    "coquille": cup,
    "chronometre": stopwatch,
    "planche": board,
    "batons": poles,
    "crosse": stick,
    "trottinette": scooter,
}

# The drawing of each category (taxonomy.CATEGORIES) when an item names none of its own
CATEGORY_DRAWINGS: dict[str, str] = {
    "chaussures": "chaussure",
    "vetements": "maillot",
    "protections": "protections",
    "ballons": "ballon_football",
    "raquettes": "raquette_tennis",
    "velos": "velo",
    "accessoires_velo": "pompe",
    "casques": "casque",
    "escalade": "baudrier",
    "sieges_velo_enfant": "siege_enfant",
    "gants_combat": "gant_boxe",
    "materiel_collectif": "plots",
    "fitness": "halteres",
    "glisse": "skis",
    "sacs": "sac",
    "protege_dents": "protege_dents",
    "maillots_bain": "maillot_bain",
    "coquilles": "coquille",
    "autre": "chronometre",
}


def drawing_for(category: str, drawing: str = "") -> str:
    """The drawing to use: the item's own, else its category's, else the stopwatch of « autre »."""
    if drawing in DRAWINGS:
        return drawing
    return CATEGORY_DRAWINGS.get(category, "chronometre")


def render(drawing: str, variant: int = 0) -> bytes:
    """A 800 × 600 PNG of ``drawing`` (a ``DRAWINGS`` name); ``variant`` picks the colours, the
    position and the size, so that two variants never make the same file."""
    background = BACKGROUNDS[variant % len(BACKGROUNDS)]
    colour = COLOURS[(variant // len(BACKGROUNDS) + variant) % len(COLOURS)]
    image = Image.new("RGB", (WIDTH, HEIGHT), background)
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (0, HEIGHT * 0.82, WIDTH, HEIGHT), fill=tuple(max(0, c - 28) for c in background)
    )
    side = 420 + (variant * 37) % 90
    left = (WIDTH - side) / 2 + ((variant * 53) % 121 - 60)
    top = (HEIGHT - side) / 2 - 20 + ((variant * 29) % 41 - 20)
    DRAWINGS[drawing](Pen(draw, left, top, side, colour))
    # A faint mark of the variant in a corner: files differ even where the drawing would not
    draw.rectangle((8, 8, 8 + variant % 97, 10), fill=tuple(max(0, c - 12) for c in background))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
