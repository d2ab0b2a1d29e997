"""校企协同育人门户 — the base every area builds on, and imports no app (see the import-linter
contracts in pyproject.toml): the web (auth, sessions, middleware, errors, forms, flash,
templating), lists (listing, pagination, exports, xlsx), output (pdf, charts), settings, the
engine and the read layer, i18n, the vocabulary of every code, the domain errors, the audit
log, and students."""
