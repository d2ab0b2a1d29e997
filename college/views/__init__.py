"""Request handlers of the pages that join areas, one module per page family."""
