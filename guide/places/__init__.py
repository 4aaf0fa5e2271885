"""The public guide: home, place pages, the calendar and events, under /<lang>/."""
from guide.places.cli import places_cli
from guide.places.views import bp

__all__ = ["bp", "places_cli"]
