"""Page families of the partners app, one module each."""
