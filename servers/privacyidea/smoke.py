#!/usr/bin/env python3
"""Exercise a running privacyIDEA server the way the harness profile will, and check every
request/response shape that servers/privacyidea/API.md and profile.toml rely on.

Standard library only. Start the server with setup.sh first, then:

    python3 servers/privacyidea/smoke.py [--base-url URL] [--admin-password-file FILE]

Each check prints "ok" or "FAIL" with what was observed; behaviours that are findings against the
consoles' secure defaults are printed as "finding" lines with the evidence (they are facts about
privacyIDEA, not failures of this script). The last line is "N passed, N failed". Exit status: 0
all checks held, 1 a check failed (the API moved: update API.md and the profile), 2 the server
could not be reached or answered garbage.

The script creates tokens with a per-run serial prefix and deletes them at the end, so it can run
repeatedly against the same database. It configures one SMS gateway ("harness-sink") pointed at a
loopback sink it runs itself, and sets the system config "sms.identifier" to it. Secrets (admin
password, JWT, token keys) are never printed.
"""

import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import http.server
import json
import os
import struct
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

REALM = "harness"


class Unreachable(Exception):
    """The server did not answer with JSON: a harness error, not a finding."""


class Client:
    """A tiny privacyIDEA REST client: form-encoded requests, JSON responses."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")
        self.jwt = None

    def call(self, method, path, data=None, files=None, admin=True):
        """Returns (status, json, headers). Admin calls carry the JWT in "Authorization"."""
        headers = {}
        if admin and self.jwt:
            headers["Authorization"] = self.jwt
        body = None
        url = self.base_url + path
        if files:
            boundary = uuid.uuid4().hex
            chunks = []
            for key, value in (data or {}).items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
                )
            for key, (filename, content) in files.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{filename}"\r\n'
                    "Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n"
                )
            chunks.append(f"--{boundary}--\r\n".encode())
            body = b"".join(chunks)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None and method == "GET":
            url += "?" + urllib.parse.urlencode(data)
        elif data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, text, response_headers = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, text, response_headers = error.code, error.read(), error.headers
        except (urllib.error.URLError, OSError) as error:
            raise Unreachable(f"{method} {path}: {error}") from error
        try:
            return status, json.loads(text), response_headers
        except ValueError as error:
            raise Unreachable(f"{method} {path}: HTTP {status}, not JSON: {text[:200]!r}") from error

    def login(self, username, password):
        status, body, _ = self.call("POST", "/auth", {"username": username, "password": password}, admin=False)
        if status != 200 or not body["result"]["status"]:
            raise Unreachable(f"POST /auth: HTTP {status}, {body['result']}")
        self.jwt = body["result"]["value"]["token"]

    def check(self, params):
        """POST /validate/check without admin auth; returns (status, authentication, message, body)."""
        status, body, _ = self.call("POST", "/validate/check", params, admin=False)
        detail = body.get("detail") or {}
        return status, body["result"].get("authentication"), detail.get("message"), body

    def token(self, serial):
        _, body, _ = self.call("GET", "/token/", {"serial": serial})
        tokens = body["result"]["value"]["tokens"]
        return tokens[0] if tokens else None


def hotp(key_hex, counter, digits=6, algorithm="sha1"):
    """RFC 4226 HOTP, written out so this script needs nothing but the standard library."""
    mac = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), getattr(hashlib, algorithm)).digest()
    offset = mac[-1] & 0x0F
    value = (struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF) % 10**digits
    return str(value).zfill(digits)


def totp(key_hex, unix, step_offset=0, period=30, digits=6, algorithm="sha1"):
    """RFC 6238 TOTP for the step that contains `unix`, moved by `step_offset` steps."""
    return hotp(key_hex, int(unix // period) + step_offset, digits, algorithm)


def wait_for_fresh_step(period=30, margin=4):
    """Avoid straddling a step boundary between computing a code and the server checking it."""
    while period - time.time() % period < margin:
        time.sleep(0.25)


class SmsSink:
    """Loopback HTTP server that records what privacyIDEA's HttpSMSProvider posts."""

    def __init__(self):
        self.messages = []
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                raw = self.rfile.read(length)
                sink.messages.append(
                    {"path": self.path, "content_type": self.headers.get("Content-Type"), "body": raw.decode()}
                )
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def last_code(self):
        """The OTP of the newest SMS, zero-padded: with a JSON body it arrives as a number
        when it has no leading zero and as a string otherwise (see API.md)."""
        text = json.loads(self.messages[-1]["body"])["text"]
        return str(text).zfill(6)


class Report:
    """Collects check results and findings and prints them as they happen."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.findings = []

    def expect(self, name, condition, observed):
        if condition:
            self.passed += 1
            print(f"ok    {name}: {observed}")
        else:
            self.failed += 1
            print(f"FAIL  {name}: {observed}")

    def finding(self, name, evidence):
        self.findings.append(name)
        print(f"finding  {name}: {evidence}")


def run(client, report, prefix, sms):
    created = []

    def enrol_totp(serial, user, key=None, **extra):
        params = {"type": "totp", "serial": serial, "user": user, "realm": REALM, "pin": "",
                  "otplen": "6", "hashlib": "sha1", "timeStep": "30", **extra}
        if key is None:
            params["genkey"] = "1"
        else:
            params["otpkey"] = key
        status, body, _ = client.call("POST", "/token/init", params)
        created.append(serial)
        return status, body

    # Server time: every JSON response carries it, and so does the Date header.
    _, _, headers = client.call("GET", "/healthz/", admin=False)
    report.expect("server time in Date header", headers.get("Date") is not None, f"Date: {headers.get('Date')}")
    _, body, _ = client.call("GET", "/token/", {"serial": "none"})
    report.expect("server time at /time", isinstance(body.get("time"), float),
                  f"/time = {body.get('time')}, local {time.time():.3f}")

    # Enrol with a given key; the otpauth URI comes back at /detail/googleurl/value.
    key = os.urandom(20).hex()
    status, body = enrol_totp(prefix + "T1", "alice", key)
    uri = body["detail"]["googleurl"]["value"]
    report.expect("enrol totp with otpkey", status == 200 and body["result"]["value"] is True
                  and uri.startswith("otpauth://totp/"), f"HTTP {status}, /result/value={body['result']['value']}")
    token = client.token(prefix + "T1")
    report.expect("token defaults", True,
                  f"maxfail={token['maxfail']} timeWindow={token['info']['timeWindow']} "
                  f"count_window={token['count_window']} sync_window={token['sync_window']}")

    # Server-generated key: the secret is in the otpauth URI.
    status, body = enrol_totp(prefix + "G1", "carol")
    uri = body["detail"]["googleurl"]["value"]
    query = urllib.parse.parse_qs(urllib.parse.urlparse(uri).query)
    report.expect("enrol totp genkey=1: URI carries secret", status == 200 and "secret" in query
                  and body["detail"]["googleurl"]["img"].startswith("data:image/png;base64,"),
                  f"URI params {sorted(query)}; QR at /detail/googleurl/img")

    # Verify: accept, replay, wrong.
    wait_for_fresh_step()
    code = totp(key, time.time())
    first = client.check({"user": "alice", "realm": REALM, "pass": code})
    report.expect("check valid code", first[:2] == (200, "ACCEPT") and first[3]["result"]["value"] is True,
                  f"HTTP {first[0]} /result/authentication={first[1]} /detail/message={first[2]!r}")
    again = client.check({"user": "alice", "realm": REALM, "pass": code})
    report.expect("replayed code rejected", again[1] == "REJECT", f"/detail/message={again[2]!r}")
    wrong = client.check({"user": "alice", "realm": REALM, "pass": str((int(code) + 1) % 10**6).zfill(6)})
    report.expect("wrong code rejected", wrong[1] == "REJECT", f"/detail/message={wrong[2]!r}")
    older = client.check({"user": "alice", "realm": REALM, "pass": totp(key, time.time(), -1)})
    report.expect("code older than last accepted rejected", older[1] == "REJECT", f"/detail/message={older[2]!r}")
    by_serial = client.check({"serial": prefix + "T1", "pass": totp(key, time.time(), 1)})
    report.expect("check by serial", by_serial[1] == "ACCEPT", f"/detail/message={by_serial[2]!r}")
    unknown = client.check({"user": "nobody", "realm": REALM, "pass": "123456"})
    report.expect("unknown user", unknown[0] in (200, 400), f"HTTP {unknown[0]} /result={unknown[3]['result']}")

    # Client-supplied initTime is stripped (no clock control through the API).
    key2 = os.urandom(20).hex()
    enrol_totp(prefix + "C1", "carol", key2)
    past = 1_000_000_000
    clock = client.check({"serial": prefix + "C1", "pass": totp(key2, past), "initTime": str(past)})
    report.expect("initTime ignored", clock[1] == "REJECT", f"/detail/message={clock[2]!r}")

    # Window: one fresh token per step offset.
    accepted = []
    for offset in range(-8, 9):
        serial = f"{prefix}W{offset + 8:02d}"
        wkey = os.urandom(20).hex()
        enrol_totp(serial, "carol", wkey)
        wait_for_fresh_step()
        result = client.check({"serial": serial, "pass": totp(wkey, time.time(), offset)})
        if result[1] == "ACCEPT":
            accepted.append(offset)
    report.expect("default window measured", accepted == list(range(-6, 6)),
                  f"accepted step offsets {accepted[0]}..{accepted[-1]}" if accepted else "none")
    if accepted:
        report.finding("wide default TOTP window",
                       f"timeWindow=180 by default; codes {accepted[0]} to +{accepted[-1]} steps from now accepted "
                       f"({-accepted[0] * 30} s behind, {accepted[-1] * 30} s ahead)")

    # A success re-centres the window: timeShift follows the accepted step.
    wkey = os.urandom(20).hex()
    enrol_totp(prefix + "S1", "carol", wkey)
    wait_for_fresh_step()
    client.check({"serial": prefix + "S1", "pass": totp(wkey, time.time(), 5)})
    shift = float(client.token(prefix + "S1")["info"]["timeShift"])
    wait_for_fresh_step()
    far = client.check({"serial": prefix + "S1", "pass": totp(wkey, time.time(), 10)})
    report.expect("timeShift follows accepted code", shift > 100, f"timeShift={shift}")
    if far[1] == "ACCEPT":
        report.finding("window drifts with each success",
                       f"after accepting a +5-step code (timeShift={shift:.0f}), a +10-step code (+300 s) "
                       f"was accepted: /detail/message={far[2]!r}")

    # Failcounter: default maxfail 10, no automatic clearing, correct code then rejected.
    fkey = os.urandom(20).hex()
    enrol_totp(prefix + "F1", "bob", fkey)
    messages = [client.check({"serial": prefix + "F1", "pass": "000000"})[2] for _ in range(11)]
    wait_for_fresh_step()
    locked = client.check({"serial": prefix + "F1", "pass": totp(fkey, time.time())})
    token = client.token(prefix + "F1")
    report.expect("locked after maxfail", locked[1] == "REJECT" and locked[2] == "Failcounter exceeded",
                  f"messages 1..10={messages[0]!r}, 11th={messages[10]!r}; valid code then: {locked[2]!r}; "
                  f"failcount={token['failcount']}/{token['maxfail']}")
    status, body, _ = client.call("POST", "/token/reset", {"serial": prefix + "F1"})
    unlocked = client.check({"serial": prefix + "F1", "pass": totp(fkey, time.time())})
    report.expect("reset clears lock", status == 200 and unlocked[1] == "ACCEPT",
                  f"POST /token/reset HTTP {status} /result/value={body['result']['value']}; then {unlocked[2]!r}")
    status, body, _ = client.call("POST", "/token/set", {"serial": prefix + "F1", "max_failcount": "3"})
    report.expect("set max_failcount", status == 200 and client.token(prefix + "F1")["maxfail"] == 3,
                  f"POST /token/set HTTP {status}")

    # Resync with two consecutive codes far outside the window.
    rkey = os.urandom(20).hex()
    enrol_totp(prefix + "R1", "bob", rkey)
    wait_for_fresh_step(margin=6)
    now = time.time()
    outside = client.check({"serial": prefix + "R1", "pass": totp(rkey, now, 20)})
    status, body, _ = client.call("POST", "/token/resync", {"serial": prefix + "R1", "otp1": totp(rkey, now, 20),
                                                           "otp2": totp(rkey, now, 21)})
    report.expect("resync", outside[1] == "REJECT" and status == 200 and body["result"]["value"] is True,
                  f"+20 steps first {outside[1]}; POST /token/resync HTTP {status} /result/value={body['result']['value']}")
    replay2 = client.check({"serial": prefix + "R1", "pass": totp(rkey, now, 21)})
    nxt = client.check({"serial": prefix + "R1", "pass": totp(rkey, now, 22)})
    after = client.check({"serial": prefix + "R1", "pass": totp(rkey, now, 23)})
    report.expect("resync codes not reusable", replay2[1] == "REJECT", f"otp2 again: {replay2[2]!r}")
    if nxt[1] == "REJECT":
        report.finding("resync burns the next code",
                       f"after resync with steps +20/+21 the counter is set to +22, so the token's next code "
                       f"(+22) is rejected ({nxt[2]!r}); +23 is {after[1]}")

    # Parallel replay of one valid code.
    pkey = os.urandom(20).hex()
    enrol_totp(prefix + "P1", "bob", pkey)
    wait_for_fresh_step(margin=8)
    pcode = totp(pkey, time.time())
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        verdicts = list(pool.map(lambda _: client.check({"serial": prefix + "P1", "pass": pcode})[1], range(8)))
    accepts = verdicts.count("ACCEPT")
    report.expect("parallel replay ran", len(verdicts) == 8, f"8 parallel submissions: {accepts} ACCEPT")
    if accepts > 1:
        report.finding("parallel replay accepted", f"one TOTP code submitted 8 times in parallel was accepted "
                       f"{accepts} times")

    # Parallel failures against maxfail 10: 29 wrong guesses in parallel, then the right code.
    lkey = os.urandom(20).hex()
    enrol_totp(prefix + "L1", "bob", lkey)
    wait_for_fresh_step(margin=20)
    right = totp(lkey, time.time())
    guesses = [str(i).zfill(6) for i in range(40) if str(i).zfill(6) != right][:29] + [right]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(lambda guess: client.check({"serial": prefix + "L1", "pass": guess}), guesses))
    wrong_messages = [outcome[2] for outcome in outcomes[:-1]]
    evaluated = wrong_messages.count("wrong otp value")
    last = outcomes[-1]
    token = client.token(prefix + "L1")
    report.expect("parallel failures ran", all(outcome[0] == 200 for outcome in outcomes),
                  f"29 wrong + 1 right over 8 connections: {evaluated} answered 'wrong otp value', right code "
                  f"{last[1]} ({last[2]!r}), failcount afterwards {token['failcount']}/{token['maxfail']}")
    if evaluated > token["maxfail"] or last[1] == "ACCEPT":
        report.finding("lockout bypassed by parallel guesses",
                       f"maxfail={token['maxfail']}, yet {evaluated} of 29 parallel wrong guesses were evaluated "
                       f"and the right code sent after them was {last[1]}")

    # Assign / unassign / delete.
    ukey = os.urandom(20).hex()
    status, body = enrol_totp(prefix + "U1", "alice", ukey)
    status, body, _ = client.call("POST", "/token/unassign", {"serial": prefix + "U1"})
    report.expect("unassign", status == 200 and client.token(prefix + "U1")["username"] == "",
                  f"HTTP {status} /result/value={body['result']['value']}")
    status, body, _ = client.call("POST", "/token/assign", {"serial": prefix + "U1", "user": "bob", "realm": REALM})
    report.expect("assign", status == 200 and client.token(prefix + "U1")["username"] == "bob", f"HTTP {status}")
    status, body, _ = client.call("POST", "/token/assign", {"serial": prefix + "U1", "user": "carol", "realm": REALM})
    report.expect("assign to second user refused", status == 400 and body["result"]["status"] is False,
                  f"HTTP {status} /result/error/code={body['result'].get('error', {}).get('code')}")

    # Hardware import: OATH CSV and PSKC (same layouts as `mfa-harness tokens`).
    hw_keys = {f"{prefix}H{i}": os.urandom(20).hex() for i in range(2)}
    csv_text = "".join(f"{serial},{k},totp,6,30\n" for serial, k in hw_keys.items())
    status, body, _ = client.call("POST", "/token/load/seeds.csv", {"type": "oathcsv", "tokenrealms": REALM},
                                  files={"file": ("seeds.csv", csv_text.encode())})
    created.extend(hw_keys)
    report.expect("import OATH CSV", status == 200 and body["result"]["value"]["n_imported"] == 2,
                  f"HTTP {status} /result/value={body['result'].get('value')}")
    pskc_serial = prefix + "X1"
    pskc_key = os.urandom(20)
    status, body, _ = client.call("POST", "/token/load/seeds.xml", {"type": "pskc", "tokenrealms": REALM},
                                  files={"file": ("seeds.xml", pskc_document(pskc_serial, pskc_key))})
    created.append(pskc_serial)
    report.expect("import PSKC", status == 200 and body["result"]["value"]["n_imported"] == 1,
                  f"HTTP {status} /result/value={body['result'].get('value')}")
    serial0 = next(iter(hw_keys))
    client.call("POST", "/token/assign", {"serial": serial0, "user": "alice", "realm": REALM})
    client.call("POST", "/token/set", {"serial": serial0, "pin": ""})
    wait_for_fresh_step()
    hw = client.check({"serial": serial0, "pass": totp(hw_keys[serial0], time.time())})
    report.expect("imported token verifies", hw[1] == "ACCEPT", f"{hw[2]!r}")
    new_key = os.urandom(20).hex()
    status, body, _ = client.call("POST", "/token/load/again.csv", {"type": "oathcsv", "tokenrealms": REALM},
                                  files={"file": ("again.csv", f"{serial0},{new_key},totp,6,30\n".encode())})
    token = client.token(serial0)
    wait_for_fresh_step()
    swapped = client.check({"serial": serial0, "pass": totp(new_key, time.time())})
    report.expect("re-import of an existing serial answered", status == 200,
                  f"HTTP {status} /result/value={body['result'].get('value')}")
    if swapped[1] == "ACCEPT":
        report.finding("import overwrites an assigned token's seed",
                       f"importing a CSV row for existing serial {serial0} (assigned to {token['username']}) "
                       f"replaced its key without error: n_imported={body['result']['value']['n_imported']}, "
                       f"a code from the new key is then {swapped[1]}")

    # SMS through the HTTP gateway, challenge-response.
    # Its own gateway, chosen per token: the system-wide "harness-sink" (setup.sh) stays as the
    # harness's.
    status, body, _ = client.call("POST", "/smsgateway", {
        "name": "smoke-sink",
        "module": "privacyidea.lib.smsprovider.HttpSMSProvider.HttpSMSProvider",
        "option.URL": f"http://127.0.0.1:{sms.port}/sms",
        "option.HTTP_METHOD": "POST",
        "option.SEND_DATA_AS_JSON": "yes",
        "option.CHECK_SSL": "yes",
        "option.RETURN_SUCCESS": "OK",
        "option.TIMEOUT": "3",
        "option.phone": "{phone}",
        "option.text": "{otp}",
    })
    report.expect("configure SMS gateway", status == 200, f"POST /smsgateway HTTP {status}")
    status, body, _ = client.call("POST", "/token/init", {"type": "sms", "serial": prefix + "M1", "user": "bob",
                                                          "realm": REALM, "phone": "+15550001002", "pin": ""})
    created.append(prefix + "M1")
    report.expect("enrol sms", status == 200, f"HTTP {status}")
    status, body, _ = client.call("POST", f"/token/info/{prefix}M1/sms.identifier", {"value": "smoke-sink"})
    report.expect("select SMS gateway", status == 200, f"POST /token/info HTTP {status}")
    before = len(sms.messages)
    trigger = client.check({"user": "bob", "realm": REALM, "pass": ""})
    transaction = trigger[3]["detail"].get("transaction_id")
    report.expect("trigger sends SMS", trigger[1] == "CHALLENGE" and transaction and len(sms.messages) == before + 1,
                  f"/result/authentication={trigger[1]} /detail/transaction_id present; sink got "
                  f"{sms.messages[-1]['content_type']} body keys {sorted(json.loads(sms.messages[-1]['body']))}")
    sms_code = sms.last_code()
    bad = client.check({"user": "bob", "realm": REALM, "pass": "000000" if sms_code != "000000" else "111111",
                        "transaction_id": transaction})
    good = client.check({"user": "bob", "realm": REALM, "pass": sms_code, "transaction_id": transaction})
    replay = client.check({"user": "bob", "realm": REALM, "pass": sms_code, "transaction_id": transaction})
    report.expect("sms challenge answered", bad[1] == "REJECT" and good[1] == "ACCEPT" and replay[1] == "REJECT",
                  f"wrong: {bad[2]!r}; right after a wrong one: {good[2]!r}; replay: {replay[2]!r}")
    client.check({"user": "bob", "realm": REALM, "pass": ""})
    bare = client.check({"user": "bob", "realm": REALM, "pass": sms.last_code()})
    if bare[1] == "ACCEPT":
        report.finding("SMS code valid without its transaction",
                       f"the code of a pending SMS challenge, sent as pass without transaction_id, was "
                       f"accepted: {bare[2]!r}")
    before = len(sms.messages)
    started = time.time()
    for _ in range(20):
        client.check({"user": "bob", "realm": REALM, "pass": ""})
    sent = len(sms.messages) - before
    if sent >= 20:
        report.finding("SMS triggers not rate-limited",
                       f"20 unauthenticated POST /validate/check user=bob pass='' (empty PIN) in "
                       f"{time.time() - started:.1f} s sent {sent} SMS")

    for serial in created:
        client.call("DELETE", "/token/" + serial)
    _, body, _ = client.call("GET", "/token/", {"serial": prefix + "T1"})
    report.expect("delete tokens", body["result"]["value"]["count"] == 0, f"{len(created)} tokens deleted")


def pskc_document(serial, key):
    """A one-key plain PSKC container in the layout `mfa-harness tokens --format pskc` writes."""
    secret = base64.b64encode(key).decode()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<pskc:KeyContainer xmlns:pskc="urn:ietf:params:xml:ns:keyprov:pskc" Version="1.0">
  <pskc:KeyPackage>
    <pskc:DeviceInfo><pskc:Manufacturer>mfa-harness</pskc:Manufacturer><pskc:SerialNo>{serial}</pskc:SerialNo></pskc:DeviceInfo>
    <pskc:Key Id="{serial}" Algorithm="urn:ietf:params:xml:ns:keyprov:pskc:totp">
      <pskc:AlgorithmParameters><pskc:Suite>SHA1</pskc:Suite><pskc:ResponseFormat Length="6" Encoding="DECIMAL"/></pskc:AlgorithmParameters>
      <pskc:Data>
        <pskc:Secret><pskc:PlainValue>{secret}</pskc:PlainValue></pskc:Secret>
        <pskc:Time><pskc:PlainValue>0</pskc:PlainValue></pskc:Time>
        <pskc:TimeInterval><pskc:PlainValue>30</pskc:PlainValue></pskc:TimeInterval>
      </pskc:Data>
    </pskc:Key>
  </pskc:KeyPackage>
</pskc:KeyContainer>
""".encode()


def main():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    home = os.environ.get("PI_HOME", os.path.join(repo, "target", "privacyidea"))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default=f"http://127.0.0.1:{os.environ.get('PI_PORT', '5001')}")
    parser.add_argument("--admin-user", default=os.environ.get("PI_ADMIN_USER", "admin"))
    parser.add_argument("--admin-password-file", default=os.path.join(home, "admin-password"))
    args = parser.parse_args()
    with open(args.admin_password_file, encoding="utf-8") as handle:
        password = handle.read().strip()

    client = Client(args.base_url)
    report = Report()
    sms = SmsSink()
    prefix = f"SMK{int(time.time()) % 1_000_000:06d}"
    started = time.time()
    try:
        client.login(args.admin_user, password)
        run(client, report, prefix, sms)
    except Unreachable as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        sms.server.shutdown()
    print(f"{len(report.findings)} findings; took {time.time() - started:.0f} s")
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
