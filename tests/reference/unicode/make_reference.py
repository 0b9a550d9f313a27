#!/usr/bin/python3
"""Reference outputs of Python's unicodedata for Simile's Unicode normalisation tests.

Run: /usr/bin/python3 make_reference.py (Debian's Python 3.11, unicodedata 14.0.0). Writes
  codepoints.tsv.gz  every code point (surrogates excepted) whose NFC, NFD, NFKC, NFKD, lower case (str.lower of the
                     character alone) or stripped form (NFD, then Mn dropped) differs from itself:
                     "cp<TAB>NFC<TAB>NFD<TAB>NFKC<TAB>NFKD<TAB>lower<TAB>strip", each a space-separated list of hex
                     code points; every code point not listed is unchanged by all six.
  strings.tsv.gz     4,000 random strings of 1-8 code points drawn mostly from combining marks, Hangul jamo and
                     characters with decompositions (seeded), with the same six columns (first column: the input).
"""
import gzip
import random
import unicodedata as ud


def hexs(s):
    return " ".join(f"{ord(c):X}" for c in s)


def strip(s):
    return "".join(c for c in ud.normalize("NFD", s) if ud.category(c) != "Mn")


def row(s):
    forms = [ud.normalize(f, s) for f in ("NFC", "NFD", "NFKC", "NFKD")] + ["".join(c.lower() for c in s), strip(s)]
    return forms


cps = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
with gzip.open("codepoints.tsv.gz", "wt", encoding="ascii", compresslevel=9) as f:
    f.write(f"# unicodedata {ud.unidata_version}\n")
    for cp in cps:
        c = chr(cp)
        forms = row(c)
        if any(x != c for x in forms):
            f.write(f"{cp:X}\t" + "\t".join(hexs(x) for x in forms) + "\n")

rng = random.Random(20261206)
marks = [cp for cp in cps if ud.combining(chr(cp))]
decomposable = [cp for cp in cps if ud.decomposition(chr(cp))]
jamo = list(range(0x1100, 0x1113)) + list(range(0x1161, 0x1176)) + list(range(0x11A8, 0x11C3)) + list(range(0xAC00, 0xAC00 + 2000, 7))
plain = [ord(c) for c in "aeiouAEIOUnsczACSZ"] + [0x3B1, 0x3B7, 0x3C9, 0x415, 0x438, 0x627, 0x928, 0x915]
pools = [marks, marks, decomposable, jamo, plain, plain]
with gzip.open("strings.tsv.gz", "wt", encoding="ascii", compresslevel=9) as f:
    f.write(f"# unicodedata {ud.unidata_version}\n")
    for _ in range(4000):
        s = "".join(chr(rng.choice(rng.choice(pools))) for _ in range(rng.randint(1, 8)))
        f.write(hexs(s) + "\t" + "\t".join(hexs(x) for x in row(s)) + "\n")
