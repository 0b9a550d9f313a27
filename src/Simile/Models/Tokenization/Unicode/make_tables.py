#!/usr/bin/python3
"""Writes unicode-tables.bin.gz, the Unicode data Simile's normalisers read (UnicodeNormalization.cs).

Run with Debian's Python (/usr/bin/python3, whose unicodedata is Unicode 14.0.0):
    /usr/bin/python3 make_tables.py
Everything comes from the raw character properties of Python's unicodedata (decomposition mapping, canonical
combining class, general category, lower-case mapping); the normalisation algorithm itself (recursive
decomposition, canonical reordering, composition, Hangul) is in the C# code. The only use of normalize() is to
find which canonical pairs are excluded from composition (CompositionExclusions.txt plus the non-starter rules),
which unicodedata does not expose as a property.

Format (little-endian, gzip with a fixed time): "SUNT", version (u8 length + ASCII), then sections, each a u32
count followed by its entries:
  1. combining class      u32 code point, u8 class                (class != 0)
  2. canonical mapping    u32 code point, u8 n, n x u32           (full recursive decomposition, Hangul excluded)
  3. compatibility map.   u32 code point, u8 n, n x u32           (full recursive compatibility decomposition,
                                                                   only where it differs from the canonical one)
  4. composition pairs    u32 first, u32 second, u32 composite    (primary composites only)
  5. lower case           u32 code point, u8 n, n x u32           (str.lower() of the character alone)
  6. non-spacing marks    u32 code point                           (general category Mn)
"""
import gzip
import struct
import sys
import unicodedata as ud

HANGUL = range(0xAC00, 0xD7A4)


def raw(cp):
    d = ud.decomposition(chr(cp))
    if not d:
        return None, False
    parts = d.split()
    compat = parts[0].startswith("<")
    if compat:
        parts = parts[1:]
    return [int(p, 16) for p in parts], compat


def full(cp, compat_ok):
    if cp in HANGUL:
        return [cp]
    m, compat = raw(cp)
    if m is None or (compat and not compat_ok):
        return [cp]
    out = []
    for c in m:
        out.extend(full(c, compat_ok))
    return out


def main():
    out = bytearray(b"SUNT")
    v = ud.unidata_version.encode("ascii")
    out += bytes([len(v)]) + v

    def section(entries, write):
        nonlocal out
        out += struct.pack("<I", len(entries))
        for e in entries:
            write(e)

    cps = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    ccc = [(cp, ud.combining(chr(cp))) for cp in cps if ud.combining(chr(cp))]
    section(ccc, lambda e: out.extend(struct.pack("<IB", *e)))

    def seq(e):
        out.extend(struct.pack("<IB", e[0], len(e[1])))
        for c in e[1]:
            out.extend(struct.pack("<I", c))

    canon = [(cp, full(cp, False)) for cp in cps]
    canon = [(cp, m) for cp, m in canon if m != [cp]]
    section(canon, seq)
    canon_map = dict(canon)
    compat = [(cp, full(cp, True)) for cp in cps]
    compat = [(cp, m) for cp, m in compat if m != canon_map.get(cp, [cp])]
    section(compat, seq)

    pairs = []
    for cp in cps:
        if cp in HANGUL:
            continue
        m, is_compat = raw(cp)
        if m is None or is_compat or len(m) != 2:
            continue
        # a primary composite: not excluded (CompositionExclusions.txt, non-starter decompositions)
        if ud.normalize("NFC", chr(m[0]) + chr(m[1])) == chr(cp):
            pairs.append((m[0], m[1], cp))
    section(pairs, lambda e: out.extend(struct.pack("<III", *e)))

    lower = [(cp, [ord(c) for c in chr(cp).lower()]) for cp in cps]
    lower = [(cp, m) for cp, m in lower if m != [cp]]
    section(lower, seq)

    marks = [cp for cp in cps if ud.category(chr(cp)) == "Mn"]
    section(marks, lambda cp: out.extend(struct.pack("<I", cp)))

    with open("unicode-tables.bin.gz", "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, compresslevel=9, filename="") as g:
            g.write(bytes(out))
    print(f"Unicode {ud.unidata_version}: {len(ccc)} classes, {len(canon)} canonical, {len(compat)} compatibility, "
          f"{len(pairs)} pairs, {len(lower)} lower, {len(marks)} marks; {len(out)} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
