"""The public guide: home, place pages, the calendar and events, under /<lang>/.
The blueprint is `guide.places.views.bp`; the CLI is `guide.places.cli.places_cli`."""
