"""The read layer of the partners area: its hot pages' SQL, built once per shape, read into typed
rows (see portal.sql and portal.reads)."""
