"""What every page shares: the root redirect, the language switch, vendored assets, errors."""
from guide.site.errors import register_error_handlers
from guide.site.helpers import register_template_helpers
from guide.site.views import bp

__all__ = ["bp", "register_error_handlers", "register_template_helpers"]
