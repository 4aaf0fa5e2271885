"""Read-only JSON for hotel sites and apps, described by an OpenAPI 3 document.
The blueprint is `guide.api.views.bp`."""
