"""Request handlers of the portal app, one module per page family."""
