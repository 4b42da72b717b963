"""Service-level agreements: policies, business calendars and the clocks that track them."""
