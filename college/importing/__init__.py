"""Imports (导入), in the top layer because one file feeds several areas: students (the base),
mentors and enterprises (partners) from .xlsx and .csv files, each row checked by its area's
own form rule. A file that cannot be read is `Refused` beside the upload's file field.

reading.py  what the upload is (xlsx or CSV, and which encoding) and its rows of cells
values.py   cells as people type them (男/女, 2005/5/1, 2024级, 中共党员 …) → form values
kinds.py    per kind: the columns, the form rule that checks a row, the natural key
preview.py  header found, rows checked, duplicates, create / update / unchanged per row
applying.py the batch kept for the preview, and written in one transaction on confirm
template.py the downloadable template of each kind
"""
