"""registrar-tui: the counter and registrar side of a Quebec school's family portal."""

import sysconfig

__version__ = "0.1.0"

# Python 3.11's sysconfig fills its settings on first use without a lock, into a dict it
# publishes empty first: a worker thread importing zoneinfo (the school's time zone) while
# another thread was filling them read no time-zone path, and ZoneInfoNotFoundError made
# every sign-in of that process fail (« La vérification n'a pas abouti »). Filled here, on
# the importing thread, before the app, the API or a command starts any thread.
sysconfig.get_config_vars()
