#!/usr/bin/env python3
"""Applies the fixes of `okdlint --format json` to a file, as a JSON consumer would.

usage: apply_json_fixes.py TEXT_FILE JSON_FILE [--unsafe]

Prints the fixed bytes on stdout. Fixes are taken whole, in the order of the report; a fix with
an edit that touches an edit already taken waits for the next pass (exit 3 tells the caller that
some did). Two inserts at one point compose only when both are whole lines at a line start from
findings of the same rule.
Exit 4 when two findings carry the same insertion (each finding's fix must be its own).
"""
import json
import sys


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


def main():
    text = open(sys.argv[1], "rb").read()
    report = json.load(open(sys.argv[2], encoding="utf-8"))
    unsafe = "--unsafe" in sys.argv[3:]
    taken, waiting, inserts = [], False, set()
    for finding in report:
        fix = finding.get("fix")
        if not fix or not fix["edits"]:
            continue
        edits = [{"begin": x["start"]["offset"], "end": x["end"]["offset"],
                  "replacement": x["replacement"].encode("utf-8"), "rule": finding["rule"]} for x in fix["edits"]]
        for e in edits:
            if e["begin"] == e["end"]:
                key = (e["begin"], e["replacement"])
                if key in inserts:
                    print(f"{finding['file']}:{finding['line']}: {finding['rule']} repeats another finding's "
                          f"insertion {e['replacement']!r}", file=sys.stderr)
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
    sys.stdout.buffer.write(bytes(out))
    sys.exit(3 if waiting else 0)


main()
