"""Changes one number in a generated return, in place: the first number in
column D of its indicator sheet (xl/worksheets/sheet2.xml) goes one up when
it is even and one down when it is odd, so every call is a real change of
a value (appending a byte to the file would change the file but not its
values, and a run that sees the same values keeps the last run's tables).

    python benches/one-value.py RETURN.xlsx
"""

import re
import shutil
import sys
import zipfile

SHEET = "xl/worksheets/sheet2.xml"
NUMBER = re.compile(rb'(<c r="D\d+"(?: s="\d+")?><v>)(\d+)(</v></c>)')


def changed(xml: bytes) -> bytes:
    def step(m: re.Match) -> bytes:
        n = int(m.group(2))
        return m.group(1) + str(n + 1 if n % 2 == 0 else n - 1).encode() + m.group(3)

    out, count = NUMBER.subn(step, xml, count=1)
    if count != 1:
        sys.exit(f"{SHEET} has no number in column D")
    return out


def main(path: str) -> None:
    tmp = path + ".tmp"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            dst.writestr(info, changed(data) if info.filename == SHEET else data)
    shutil.move(tmp, path)


if __name__ == "__main__":
    main(sys.argv[1])
