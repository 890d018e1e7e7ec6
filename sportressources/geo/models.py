"""Geography: the Pôle métropolitain, its zones (intercommunalities) and their communes."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sportressources.core.db import Base


class ZoneKind(enum.StrEnum):
    POLE = "pole"  # the Pôle métropolitain de l'Artois as a whole
    EPCI = "epci"  # one intercommunality, a "zone de vie"


class Zone(Base):
    __tablename__ = "zones"
    __table_args__ = (CheckConstraint("kind IN ('pole', 'epci')", name="kind_valid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    short_name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))
    siren: Mapped[str | None] = mapped_column(String(9), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id"))
    population: Mapped[int | None]

    parent: Mapped[Zone | None] = relationship(remote_side=[id])
    communes: Mapped[list[Commune]] = relationship(back_populates="zone", order_by="Commune.name")

    def __repr__(self) -> str:
        return f"<Zone {self.slug}>"


class Commune(Base):
    """A member commune; the INSEE code is its natural key."""

    __tablename__ = "communes"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    # Every postal code of the commune, ";"-separated (one for each commune of the Pôle today)
    postal_codes: Mapped[str] = mapped_column(String(60))
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id"), index=True)
    latitude: Mapped[float]
    longitude: Mapped[float]
    population: Mapped[int | None]

    zone: Mapped[Zone] = relationship(back_populates="communes")

    @property
    def postal_code_list(self) -> list[str]:
        return [code for code in self.postal_codes.split(";") if code]

    @property
    def label(self) -> str:
        """« Liévin (62800) », how people tell communes apart."""
        codes = self.postal_code_list
        return f"{self.name} ({codes[0]})" if codes else self.name

    def __repr__(self) -> str:
        return f"<Commune {self.insee} {self.name}>"
