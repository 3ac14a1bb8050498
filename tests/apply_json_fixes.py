#!/usr/bin/env python3
"""Applies the fixes of `okdlint --format json` to a file, as a JSON consumer would.

usage: apply_json_fixes.py TEXT_FILE JSON_FILE [--unsafe]
       apply_json_fixes.py --compare OKDLINT FILE...

Prints the fixed bytes on stdout. With --compare, for each FILE and both modes (safe, unsafe):
lints it with `OKDLINT --format json`, applies the fixes, re-lints while some waited, and checks
the result equals `OKDLINT fix` (exit 1 with a diff when not). Fixes are taken whole, in the order of the report; a fix with
an edit that touches an edit already taken waits for the next pass (exit 3 tells the caller that
some did). Two inserts at one point compose only when both are whole lines at a line start from
findings of the same rule.
Exit 4 when two findings carry the same edit, insertion or replacement (each finding's fix must be its own).
"""
import json
import sys

PORT_REMAP_RULES = ("OKD201", "OKD202")


def whole_line(text, e):
    return e["begin"] == e["end"] and (e["begin"] == 0 or text[e["begin"] - 1:e["begin"]] == b"\n") \
        and e["replacement"].endswith(b"\n")


def clashes(text, e, taken):
    for a in taken:
        if a["begin"] == a["end"] and e["begin"] == e["end"]:
            if a["begin"] == e["begin"] and not (whole_line(text, a) and whole_line(text, e) and a["rule"] == e["rule"]):
                return True
        elif a["begin"] < e["end"] and e["begin"] < a["end"]:
            if not (a["begin"] == a["end"] and a["begin"] == e["begin"]) and \
               not (e["begin"] == e["end"] and e["begin"] == a["begin"]):
                return True
    return False


def apply(text, report, unsafe):
    """(fixed bytes, whether some fix waited); exits 4 when two findings carry one edit."""
    taken, waiting, inserts = [], False, set()
    for finding in report:
        fix = finding.get("fix")
        if not fix or not fix["edits"]:
            continue
        edits = [{"begin": x["start"]["offset"], "end": x["end"]["offset"],
                  "replacement": x["replacement"].encode("utf-8"), "rule": finding["rule"]} for x in fix["edits"]]
        for e in edits:
            # Insertions and replacements alike: a second finding with the same edit would apply it
            # twice (an insertion) or wait for nothing (a replacement). The one exception is the
            # port remap of OKD201/OKD202 (port_remap_fix): it moves every site of one port at
            # once, so each finding on that port carries the same edit set on purpose.
            key = (e["begin"], e["end"], e["replacement"])
            if e["begin"] != e["end"] and finding["rule"] in PORT_REMAP_RULES:
                key += ("port remap",)
                if key in inserts:
                    continue
            if key in inserts:
                print(f"{finding['file']}:{finding['line']}: {finding['rule']} repeats another finding's "
                      f"edit {e['begin']}-{e['end']} {e['replacement']!r}", file=sys.stderr)
                sys.exit(4)
            inserts.add(key)
        if fix["applicability"] == "unsafe" and not unsafe:
            continue
        if any(clashes(text, e, taken) for e in edits):
            waiting = True
            continue
        taken.extend(edits)
    taken.sort(key=lambda e: (e["begin"], e["end"]))  # stable: report order among equals
    out, cursor = bytearray(), 0
    for e in taken:
        out += text[cursor:e["begin"]] + e["replacement"]
        cursor = e["end"]
    out += text[cursor:]
    return bytes(out), waiting


def compare(okdlint, files):
    import difflib
    import subprocess
    runs = 0
    for name in files:
        original = open(name, "rb").read()
        for unsafe in (False, True):
            text = original
            for _ in range(8):
                lint = subprocess.run([okdlint, "--format", "json", "--stdin-filename", name, "-"], input=text,
                                      capture_output=True)
                if lint.returncode > 1:
                    print(f"FAIL: {name}: lint exit {lint.returncode}: {lint.stderr.decode()}", file=sys.stderr)
                    sys.exit(1)
                fixed, _ = apply(text, json.loads(lint.stdout), unsafe)
                if fixed == text:
                    break
                text = fixed
            args = [okdlint, "fix"] + (["--unsafe-fixes"] if unsafe else []) + ["--stdin-filename", name, "-"]
            want = subprocess.run(args, input=original, capture_output=True).stdout
            if want != text:
                diff = difflib.unified_diff(want.decode(errors="replace").splitlines(),
                                            text.decode(errors="replace").splitlines(), "okdlint fix", "JSON fixes",
                                            lineterm="")
                print("\n".join(list(diff)[:40]), file=sys.stderr)
                print(f"FAIL: {name} ({'unsafe' if unsafe else 'safe'}): JSON fixes differ from okdlint fix",
                      file=sys.stderr)
                sys.exit(1)
            runs += 1
    print(f"ok: {runs} runs (files x safe/unsafe): applying the JSON fixes gives what okdlint fix gives")
    return runs


def main():
    if sys.argv[1] == "--compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3:]) >= 100 else 1)
    text = open(sys.argv[1], "rb").read()
    report = json.load(open(sys.argv[2], encoding="utf-8"))
    fixed, waiting = apply(text, report, "--unsafe" in sys.argv[3:])
    sys.stdout.buffer.write(fixed)
    sys.exit(3 if waiting else 0)


main()
