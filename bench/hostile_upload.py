"""A hostile workbook against the import reader: how much memory and time reading it costs
the server process, and what the user is told.

    .venv/bin/python -m bench.hostile_upload [--strings 50000] [--length 5000]

The workbook is small on the wire (a few hundred KB: its text compresses to almost nothing)
and unpacks to hundreds of MB of shared strings, under the reader's limit on unpacked bytes.
Each measurement runs in a fresh process, so its peak resident memory (VmHWM, which a new
program starts afresh) is that of one upload alone: the process that serves the request and,
when the reader parses in a child process of its own, that child's (ru_maxrss of children).
"""

# ruff: noqa: E501  (the OOXML parts are written out whole, as a workbook holds them)
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

XML = '<?xml version="1.0" encoding="UTF-8"?>'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="学生" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def hostile_workbook(path: Path, strings: int, length: int) -> None:
    """A students sheet whose rows point at shared strings that together unpack to
    strings × length characters (written as a stream: this process stays small)."""
    header = ["学号", "姓名", "性别", "院系", "专业", "班级", "年级", "政治面貌"]
    count = len(header) + strings
    cells = "".join(f'<c t="s"><v>{n}</v></c>' for n in range(len(header)))
    rows = f'<row r="1">{cells}</row>' + "".join(
        f'<row r="{r}"><c t="s"><v>{len(header) + r - 2}</v></c></row>' for r in range(2, 12)
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as sst:
            sst.write(f'{XML}<sst xmlns="{MAIN}" count="{count}" uniqueCount="{count}">'.encode())
            for text in header:
                sst.write(f"<si><t>{text}</t></si>".encode())
            filler = "甲" * length
            for n in range(strings):
                sst.write(f"<si><t>{n:06d}{filler}</t></si>".encode())
            sst.write(b"</sst>")
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'{XML}<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>',
        )


MEASURE = """
import json, resource, sys, time
from college.importing.reading import read_sheet, Refused
from college.importing.isolation import read_sheet_isolated, MEMORY_LIMIT_MB

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024

def main():
  content = open(sys.argv[1], "rb").read()
  read = read_sheet if sys.argv[2] == "inline" else read_sheet_isolated
  started = time.perf_counter()
  try:
    sheet = read(content)
    outcome = f"read {len(sheet.rows)} rows"
  except Refused as refused:
    outcome = "refused: " + refused.errors[0].message
  except MemoryError:
    outcome = "MemoryError"
  seconds = time.perf_counter() - started
  figures = {"outcome": outcome, "seconds": round(seconds, 2), "limit_mb": MEMORY_LIMIT_MB}
  print(json.dumps({**figures, "server_mb": peak_mb()}))

if __name__ == "__main__":
  main()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--length", type=int, default=900)
    parser.add_argument("--strings", type=int, default=100_000)
    parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    started = time.perf_counter()
    path = Path("/tmp/hostile-upload.xlsx")
    hostile_workbook(path, args.strings, args.length)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    print(
        f"workbook: {path.stat().st_size / 1024:.0f} KB on the wire, {unpacked / 2**20:.0f} MB unpacked"
        f" (made in {time.perf_counter() - started:.1f} s)"
    )
    baseline = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource, college.importing.reading;"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)",
        ],
        cwd=args.root,
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"a process that has imported the reader: {baseline.stdout.strip()} MB")
    script = Path("/tmp/hostile-measure.py")
    script.write_text(MEASURE)
    for mode in ("inline", "isolated"):
        result = subprocess.run(
            [sys.executable, str(script), str(path), mode],
            cwd=args.root,
            env=os.environ | {"PYTHONPATH": args.root},
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        where = (
            "in the serving process"
            if mode == "inline"
            else (f"in a child process limited to {figures['limit_mb']} MB")
        )
        print(
            f"read {where}: {figures['outcome']} in {figures['seconds']} s;"
            f" peak RSS of the serving process {figures['server_mb']} MB"
        )


if __name__ == "__main__":
    main()
