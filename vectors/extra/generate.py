#!/usr/bin/env python3
"""Generate vectors/extra/extended.json and cross-check every record with outside oracles.

Every expected code is computed by an HMAC implementation written here over Python's standard
library (`hmac`, `hashlib`), by PyPI `pyotp` (which refuses keys under 112 bits) and by Debian's
`oathtool` (6 to 8 digits; HOTP with SHA-1 only; TOTP with any hash) wherever they can express
the record. A record is written only if at least one outside tool answers and all answers agree;
otherwise the script exits with status 1.
The Rust test suite then checks the same records against the crate's core and totp-rs.

Usage (from the repository root):
    pip install pyotp==2.12.0 && apt-get install oathtool
    python3 vectors/extra/generate.py            # rewrite the file
    python3 vectors/extra/generate.py --check    # verify the committed file, write nothing

The record set is deterministic (fixed seed), so re-running produces the identical file.
"""

import argparse
import base64
import datetime
import hashlib
import hmac
import json
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pyotp

OUT = Path(__file__).with_name("extended.json")
HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
SOURCE = "mfa-harness extended set (RFC 4226 section 5, RFC 6238 section 4)"


def stdlib_hotp(key: bytes, alg: str, digits: int, counter: int) -> str:
    """RFC 4226 section 5.3, written out over the standard library."""
    mac = hmac.new(key, struct.pack(">Q", counter), HASHES[alg]).digest()
    offset = mac[-1] & 0x0F
    word = struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(word % 10**digits).zfill(digits)


def pyotp_code(key: bytes, alg: str, digits: int, rec: dict):
    """pyotp's answer, or None where it refuses the record (it rejects keys under 112 bits)."""
    if len(key) * 8 < 112:
        return None
    secret = base64.b32encode(key).decode().rstrip("=")
    if rec["kind"] == "hotp":
        return pyotp.HOTP(secret, digits=digits, digest=HASHES[alg]).at(rec["counter"])
    totp = pyotp.TOTP(secret, digits=digits, digest=HASHES[alg], interval=rec["period"])
    since = rec["time"] - rec["t0"]
    try:
        # pyotp's own step arithmetic, where a datetime can hold the time...
        datetime.datetime.fromtimestamp(since, tz=datetime.timezone.utc)
        return totp.at(since)
    except (OverflowError, OSError, ValueError):
        # ...beyond year 9999 only its HOTP core, at the step RFC 6238 section 4.2 defines.
        return pyotp.HOTP(secret, digits=digits, digest=HASHES[alg]).at(since // rec["period"])


def oathtool_code(key: bytes, alg: str, digits: int, rec: dict):
    """oathtool's answer, or None where it cannot express the record."""
    if digits > 8 or shutil.which("oathtool") is None:
        return None
    if rec["kind"] == "hotp":
        if alg != "SHA1":
            return None
        args = ["--hotp", "-c", str(rec["counter"])]
    else:
        args = [
            f"--totp={alg.lower()}",
            f"--time-step-size={rec['period']}s",
            f"--start-time=@{rec['t0']}",
            f"--now=@{rec['time']}",
        ]
    run = subprocess.run(["oathtool", *args, "-d", str(digits), key.hex()], capture_output=True, text=True)
    return run.stdout.strip() if run.returncode == 0 else None


def records():
    rng = random.Random(6238)
    key20 = b"12345678901234567890"
    out = []

    def add(rid, kind, key, alg="SHA1", digits=6, note=None, **inputs):
        rec = {"id": f"ext-{rid}", "source": SOURCE, "kind": kind, "secret_hex": key.hex(), "algorithm": alg, "digits": digits}
        rec.update(inputs)
        if note:
            rec["note"] = note
        out.append(rec)

    def totp(rid, key, alg="SHA1", digits=6, period=30, t0=0, time=0, note=None):
        add(rid, "totp", key, alg, digits, note, period=period, t0=t0, time=time)

    for digits in (7, 8, 9, 10):
        for alg in HASHES:
            for t in (59, 1111111111, 2000000000):
                totp(f"digits{digits}-{alg.lower()}-{t}", key20, alg, digits, time=t, note=f"{digits} digits")
    for period in (15, 30, 60, 90):
        for alg in HASHES:
            for t in (0, 1234567890, 1700000000 + period - 1):
                totp(f"period{period}-{alg.lower()}-{t}", key20, alg, 6, period, time=t, note=f"period {period} s")
    for t0 in (1, 1000, 1600000000):
        for alg in HASHES:
            for dt in (0, 29, 30, 1000000):
                totp(f"t0-{t0}-{alg.lower()}-{dt}", key20, alg, 6, 30, t0, t0 + dt, note="T0 is not 0")
    for period in (30, 60):
        for k in (1, 2, 56666666, 66666666):
            for edge in (k * period - 1, k * period):
                totp(f"edge-p{period}-{edge}", key20, "SHA1", 8, period, time=edge, note="last and first second of a step")
    for base, name in ((2**31, "2^31"), (2**32, "2^32")):
        for d in (-1, 0, 1):
            for alg in HASHES:
                totp(f"around-{name}{d:+d}-{alg.lower()}", key20, alg, 8, time=base + d, note=f"{name}{d:+d} seconds: 32-bit time_t wraps here")
    for exp in (40, 50, 62, 63, 64):
        t = 2**exp - 1 if exp == 64 else 2**exp
        for alg in HASHES:
            totp(f"far-2^{exp}-{alg.lower()}", key20, alg, 8, time=t, note="far beyond 2106: 64-bit steps")
    for length in (1, 7, 10, 13, 16, 20, 32, 33, 64, 65, 100, 128, 129, 200):
        for alg in HASHES:
            key = bytes(rng.randrange(256) for _ in range(length))
            note = f"{length}-byte key" + (" (below the 128-bit minimum)" if length < 16 else "")
            if length > (128 if alg == "SHA512" else 64):
                note += ", longer than the hash block: hashed first (RFC 2104)"
            totp(f"key{length}-{alg.lower()}", key, alg, 6, time=rng.randrange(2**33), note=note)
    for counter in (0, 1, 2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**62, 2**63 - 1, 2**63, 2**64 - 1):
        for alg in HASHES:
            add(f"hotp-{counter}-{alg.lower()}", "hotp", key20, alg, 6, "64-bit HOTP counter", counter=counter)
    for i in range(30):
        alg = rng.choice(list(HASHES))
        key = bytes(rng.randrange(256) for _ in range(rng.choice((16, 20, 32, 64))))
        period = rng.choice((15, 30, 60, 90))
        t0 = rng.choice((0, 0, rng.randrange(2**31)))
        totp(f"random-{i}", key, alg, rng.randrange(6, 11), period, t0, t0 + rng.randrange(2**36), note="random mix")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed file instead of writing it")
    args = parser.parse_args()

    counts = {"pyotp": 0, "oathtool": 0}
    recs = records()
    for rec in recs:
        key, alg, digits = bytes.fromhex(rec["secret_hex"]), rec["algorithm"], rec["digits"]
        step = rec["counter"] if rec["kind"] == "hotp" else (rec["time"] - rec["t0"]) // rec["period"]
        answers = {"stdlib": stdlib_hotp(key, alg, digits, step)}
        for name, oracle in (("pyotp", pyotp_code), ("oathtool", oathtool_code)):
            answer = oracle(key, alg, digits, rec)
            if answer is not None:
                answers[name] = answer
                counts[name] += 1
        if len(answers) < 2:
            print(f"{rec['id']}: no outside tool can check this record", file=sys.stderr)
            return 1
        if len(set(answers.values())) != 1:
            print(f"DISAGREEMENT on {rec['id']}: {answers}", file=sys.stderr)
            return 1
        rec["expected"] = answers["stdlib"]

    doc = {
        "format": 1,
        "description": "Extended HOTP/TOTP set: 7-10 digits, periods 15-90 s, T0 other than 0, step edges, "
        "times around 2^31 and 2^32 s and far beyond, keys of 1 to 200 bytes, HOTP counters up to 2^64-1; "
        "generated and cross-checked by vectors/extra/generate.py (pyotp, stdlib HMAC, oathtool)",
        "records": recs,
    }
    text = json.dumps(doc, indent=2) + "\n"
    print(f"{len(recs)} records; all agree (stdlib HMAC on all, pyotp on {counts['pyotp']}, oathtool on {counts['oathtool']})")
    if args.check:
        if OUT.read_text() != text:
            print(f"{OUT} differs from what the generator produces", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date")
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
