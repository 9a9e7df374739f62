#!/usr/bin/env python3
"""Check the conformance features against their vocabulary, tags and traceability table.

Run from anywhere: `python3 features/check_steps.py` (exit 0 clean, 1 with findings listed).
`python3 features/check_steps.py PATH...` checks only the given feature files or folders (rules
1 and 2, for a vendor's own features), not the traceability table.

1. Every step line of every feature (outline rows expanded) matches exactly one pattern of
   features/STEPS.md for its keyword (And/But take the previous keyword).
2. Every tag is in the documented list (features/README.md); no feature writes a @needs tag
   (or @concurrent): a scenario's needs are derived from its steps (STEPS.md `capabilities`
   block), here for the summary and in the suite loader for the runner, which refuses written
   ones the same way; every feature cites a source ("Source:" in its description) and carries
   an @area tag. A feature has at least one scenario, and every scenario (with its Background)
   has a Then step: one that asserts nothing would pass whatever the server did. The Rust
   loader (src/scenario/suite.rs) reports both at the same file:line.
3. features/traceability.toml: every reference `features/x.feature:LINE` names a Scenario,
   Scenario Outline or Examples data row; every entry's sentence occurs in its seed file (on
   the given line when `line` is set); every procedure step of both seed files (a line starting
   with "1." ... or "- ", or the line after a bare "-") has an entry with its exact text.

The lead ports this to a Rust test; keep the rules here and there identical.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FEATURES = ROOT / "features"
SEEDS = ROOT / "docs" / "seeds"
SEED_FILES = ("tencent-mfa.txt", "baidu-2fa.txt")

NEEDS = {
    "clock-control", "exact-clock", "accounts", "iam", "admin-protection", "own-protection", "virtual-mfa",
    "hardware-mfa", "beta-list", "sms", "login-protection", "operation-protection", "resync",
    "support-reset", "authenticator-record",
}
AREAS = {
    "hardware", "virtual", "sms", "login", "operation", "iam", "window", "drift", "replay",
    "lockout", "rfc", "record",
}
TAGS = {f"@needs.{n}" for n in NEEDS} | {f"@area.{a}" for a in AREAS} | {"@concurrent", "@serial"}
BUILTIN = {"int": r"-?[0-9]+", "string": r'"[^"]*"'}


def main(args):
    findings = []
    params, patterns, capabilities = read_vocabulary(FEATURES / "STEPS.md", findings)
    scenarios = []
    if args:
        files = []
        for arg in map(Path, args):
            files += sorted(arg.rglob("*.feature")) if arg.is_dir() else [arg]
    else:
        files = sorted(FEATURES.rglob("*.feature"))
    for path in files:
        scenarios += check_feature(path, patterns, capabilities, findings)
    if not args:
        check_traceability(FEATURES / "traceability.toml", findings)
    summarise(scenarios, patterns)
    for f in findings:
        print(f"error: {f}")
    print(f"{len(findings)} finding(s)")
    return 1 if findings else 0


def read_vocabulary(path, findings):
    """Parse the fenced `parameters`, `steps` and `capabilities` blocks of STEPS.md."""
    blocks = {}
    for m in re.finditer(r"^```(\w+)\n(.*?)^```", path.read_text(), re.S | re.M):
        blocks[m.group(1)] = [l for l in m.group(2).splitlines() if l.strip()]
    params = dict(BUILTIN)
    for line in blocks.get("parameters", []):
        m = re.fullmatch(r"\{(\w+)\} = (.+)", line)
        if not m:
            findings.append(f"STEPS.md: bad parameter line {line!r}")
            continue
        params[m.group(1)] = m.group(2)
    patterns = []
    for line in blocks.get("steps", []):
        m = re.fullmatch(r"((?:Given|When|Then)(?:/(?:Given|When|Then))?): (.+)", line)
        if not m:
            findings.append(f"STEPS.md: bad step line {line!r}")
            continue
        kinds = set(m.group(1).split("/"))
        try:
            regex = re.compile(expression_regex(m.group(2), params))
        except (KeyError, re.error) as e:
            findings.append(f"STEPS.md: pattern {m.group(2)!r}: {e}")
            continue
        patterns.append((kinds, m.group(2), regex))
    capabilities = []
    for line in blocks.get("capabilities", []):
        m = re.fullmatch(r"(.+) => (@\S+)", line)
        if not m or m.group(2) not in TAGS:
            findings.append(f"STEPS.md: bad capability line {line!r}")
            continue
        capabilities.append((re.compile(m.group(1)), m.group(2)))
    return params, patterns, capabilities


def expression_regex(expression, params):
    """Translate a cucumber expression ({param}, a/b alternatives, (optional)) to a regex."""
    out = []
    for token in re.findall(r"\{\w+\}|\([^)]*\)|[^\s{(]+|\s+", expression):
        if token.startswith("{"):
            out.append(f"(?:{params[token[1:-1]]})")
        elif token.startswith("("):
            out.append(f"(?:{re.escape(token[1:-1])})?")
        elif "/" in token and not token.isspace():
            # alternative text: the alternatives are the whole whitespace-delimited word, except
            # for a trailing "'s" or punctuation carried by the last one
            out.append("(?:" + "|".join(re.escape(w) for w in token.split("/")) + ")")
        else:
            out.append(re.escape(token))
    return "".join(out)


def check_feature(path, patterns, capabilities, findings):
    """Check one feature file; return (file, line, area tags, title) per scenario or outline row."""
    derived_tags = {tag for _, tag in capabilities}
    rel = path.resolve().relative_to(ROOT) if path.resolve().is_relative_to(ROOT) else path
    lines = path.read_text().splitlines()
    feature_line = 1
    feature_tags, pending_tags = [], []
    background = []
    scenarios = []
    current = None  # dict: line, title, tags, steps[(line, kind, text)], outline, header, rows
    description = []
    in_feature_description = False
    last_kind = None

    def close(sc):
        if sc is None:
            return
        if not any(kind == "Then" for _, kind, _ in background + sc["steps"]):
            findings.append(f"{rel}:{sc['line']}: scenario {sc['title']!r} has no Then step: it asserts nothing")
        if sc["outline"]:
            if not sc["rows"]:
                findings.append(f"{rel}:{sc['line']}: outline without Examples rows")
            for row_line, row in sc["rows"]:
                expanded = []
                for n, kind, text in sc["steps"]:
                    for col, val in row.items():
                        text = text.replace(f"<{col}>", val)
                    if "<" in text and re.search(r"<\w+>", text):
                        findings.append(f"{rel}:{n}: unfilled placeholder in {text!r} (row {row_line})")
                    expanded.append((n, kind, text))
                needs = check_scenario(rel, row_line, sc["tags"], background + expanded)
                scenarios.append((rel, row_line, sc["tags"] + needs, sc["title"]))
        else:
            needs = check_scenario(rel, sc["line"], sc["tags"], background + sc["steps"])
            scenarios.append((rel, sc["line"], sc["tags"] + needs, sc["title"]))

    def check_scenario(rel, line, tags, steps):
        tags = set(feature_tags) | set(tags)
        if not any(t.startswith("@area.") for t in tags):
            findings.append(f"{rel}:{line}: no @area tag")
        for n, kind, text in steps:
            matches = [p for kinds, p, rx in patterns if kind in kinds and rx.fullmatch(text)]
            if len(matches) != 1:
                what = "no pattern" if not matches else f"{len(matches)} patterns {matches}"
                findings.append(f"{rel}:{n}: {kind} {text!r} matches {what}")
        return sorted({tag for n, kind, text in steps for rx, tag in capabilities if rx.search(text)})

    examples_header = None
    section = None  # "background", "scenario", "examples"
    for i, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            for tag in line.split():
                if tag not in TAGS:
                    findings.append(f"{rel}:{i}: unknown tag {tag}")
                elif tag.startswith("@needs.") or tag in derived_tags:
                    findings.append(f"{rel}:{i}: {tag} is derived from the scenario's steps "
                                    "(STEPS.md capabilities block): remove it")
            pending_tags += line.split()
            continue
        keyword = line.split(":", 1)[0] if ":" in line else None
        if keyword == "Feature":
            feature_line = i
            feature_tags, pending_tags = pending_tags, []
            in_feature_description = True
            continue
        if keyword == "Background":
            in_feature_description = False
            section = "background"
            continue
        if keyword in ("Scenario", "Scenario Outline", "Example"):
            in_feature_description = False
            close(current)
            current = {"line": i, "title": line.split(":", 1)[1].strip(), "tags": pending_tags,
                       "steps": [], "outline": keyword == "Scenario Outline", "rows": []}
            pending_tags = []
            section = "scenario"
            continue
        if keyword == "Examples":
            section = "examples"
            examples_header = None
            pending_tags = []
            continue
        if in_feature_description:
            description.append(line)
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if section != "examples" or current is None:
                findings.append(f"{rel}:{i}: table outside Examples (data tables are not in the vocabulary)")
            elif examples_header is None:
                examples_header = cells
            elif len(cells) != len(examples_header):
                findings.append(f"{rel}:{i}: row has {len(cells)} cells, header {len(examples_header)}")
            else:
                current["rows"].append((i, dict(zip(examples_header, cells))))
            continue
        m = re.match(r"(Given|When|Then|And|But|\*) (.+)", line)
        if not m:
            findings.append(f"{rel}:{i}: unrecognised line {line!r}")
            continue
        kind = m.group(1)
        if kind in ("And", "But", "*"):
            if last_kind is None:
                findings.append(f"{rel}:{i}: {kind} without a preceding Given/When/Then")
                continue
            kind = last_kind
        last_kind = kind
        if section == "background":
            background.append((i, kind, m.group(2)))
        elif section == "scenario" and current is not None:
            current["steps"].append((i, kind, m.group(2)))
        else:
            findings.append(f"{rel}:{i}: step outside a scenario")
    close(current)
    if not any(l.startswith("Source:") for l in description):
        findings.append(f"{rel}: feature description cites no Source:")
    if not scenarios:
        findings.append(f"{rel}:{feature_line}: no scenarios")
    return scenarios


def procedure_lines(seed_lines):
    """(line number, text) of every procedure step: "N. ...", "- ...", or the line after "-"."""
    out = []
    for n, text in enumerate(seed_lines, 1):
        if re.match(r"[0-9]+\. ", text) or text.startswith("- "):
            out.append((n, text))
        elif text.strip() == "-" and n < len(seed_lines):
            out.append((n + 1, seed_lines[n]))
    return out


def check_traceability(path, findings):
    if not path.exists():
        findings.append(f"{path.relative_to(ROOT)} missing")
        return
    try:
        table = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as e:
        findings.append(f"traceability.toml: {e}")
        return
    entries = table.get("entry", [])
    seeds = {}
    for name in SEED_FILES:
        seeds[name] = (SEEDS / name).read_text().splitlines()
    scenario_lines = {}
    covered = set()
    for k, e in enumerate(entries, 1):
        where = f"traceability.toml entry {k}"
        unknown = set(e) - {"seed", "line", "section", "sentence", "scenarios", "note"}
        if unknown:
            findings.append(f"{where}: unknown keys {sorted(unknown)}")
        seed, sentence = e.get("seed"), e.get("sentence", "")
        if seed not in seeds:
            findings.append(f"{where}: unknown seed {seed!r}")
            continue
        text = seeds[seed]
        if "line" in e:
            n = e["line"]
            if not (1 <= n <= len(text)) or sentence not in text[n - 1]:
                findings.append(f"{where}: {seed}:{n} does not contain {sentence!r}")
            covered.add((seed, n, sentence))
        elif sentence not in "\n".join(text):
            findings.append(f"{where}: {seed} does not contain {sentence!r}")
        if not sentence.strip():
            findings.append(f"{where}: empty sentence")
        refs = e.get("scenarios", [])
        if not refs:
            findings.append(f"{where}: no scenarios")
        for ref in refs:
            m = re.fullmatch(r"(features/.+\.feature):([0-9]+)", ref)
            if not m:
                findings.append(f"{where}: bad reference {ref!r}")
                continue
            file = ROOT / m.group(1)
            if file not in scenario_lines:
                scenario_lines[file] = scenario_line_numbers(file) if file.exists() else set()
            if int(m.group(2)) not in scenario_lines[file]:
                findings.append(f"{where}: {ref} is not a Scenario, Scenario Outline or Examples row")
    for seed, text in seeds.items():
        for n, step in procedure_lines(text):
            if (seed, n, step) not in covered:
                findings.append(f"{seed}:{n}: procedure step has no traceability entry: {step!r}")


def scenario_line_numbers(path):
    """Lines of a feature that a traceability reference may name."""
    ok, in_examples, header_seen = set(), False, False
    for i, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if re.match(r"(Scenario|Scenario Outline|Example):", line):
            ok.add(i)
            in_examples = False
        elif line.startswith("Examples:"):
            in_examples, header_seen = True, False
        elif in_examples and line.startswith("|"):
            if header_seen:
                ok.add(i)
            header_seen = True
        elif line and not line.startswith("@") and not line.startswith("#"):
            in_examples = in_examples and not re.match(r"(Given|When|Then|And|But) ", line)
    return ok


def summarise(scenarios, patterns):
    per_need = {}
    for rel, line, tags, title in scenarios:
        for tag in tags:
            if tag.startswith("@needs."):
                per_need[tag] = per_need.get(tag, 0) + 1
    per_area = {}
    for rel, line, tags, title in scenarios:
        area = rel.parts[1] if len(rel.parts) > 2 else rel.parts[0]
        per_area[area] = per_area.get(area, 0) + 1
    files = {rel for rel, *_ in scenarios}
    print(f"{len(files)} feature files, {len(scenarios)} scenarios (outline rows counted), "
          f"{len(patterns)} step patterns")
    for area in sorted(per_area):
        print(f"  {area:10} {per_area[area]}")
    print("scenarios needing each capability (derived from their steps):")
    for need in sorted(per_need):
        print(f"  {need:30} {per_need[need]}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
