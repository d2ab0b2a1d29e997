"""The student record (成长档案): /me, the record sections of /students/{id}, PDFs, awards
(being built)."""

routes: list = []
