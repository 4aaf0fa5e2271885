"""What every page shares: the root redirect, the language switch, vendored assets, photos,
error pages and template helpers. The blueprint is `guide.site.views.bp`."""
