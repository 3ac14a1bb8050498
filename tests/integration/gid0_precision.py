#!/usr/bin/env python3
"""Precision and recall of OKD301/302/303 against hand verdicts (tests/data/corpus/verdicts.tsv):
a file is flagged when any of the three rules reports on it; "bad" files should be flagged, "ok"
files should not. Prints the figures; exits 1 when precision or recall is below the minimums given.
usage: gid0_precision.py OKDLINT CORPUS_DIR VERDICTS [min_precision min_recall]"""
import json, os, subprocess, sys

okd, corpus, verdicts = sys.argv[1:4]
min_p = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
min_r = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
tp = fp = fn = tn = 0
for line in open(verdicts):
    if line.startswith('#') or not line.strip():
        continue
    rel, verdict = line.rstrip('\n').split('\t')[:2]
    out = subprocess.run([okd, '--select', 'OKD301,OKD302,OKD303', '--format', 'json', '--failure-threshold', 'none',
                          os.path.join(corpus, rel)], capture_output=True, text=True, timeout=60)
    data = json.loads(out.stdout or '[]')
    diags = data if isinstance(data, list) else data.get('diagnostics', [])
    flagged = any(d.get('rule_id', d.get('rule')) in ('OKD301', 'OKD302', 'OKD303') for d in diags)
    if verdict == 'bad':
        tp, fn = tp + flagged, fn + (not flagged)
    else:
        fp, tn = fp + flagged, tn + (not flagged)
    if flagged != (verdict == 'bad'):
        print(f"{'false alarm' if flagged else 'miss'}: {rel}")
precision = tp / (tp + fp) if tp + fp else 1.0
recall = tp / (tp + fn) if tp + fn else 1.0
print(f'OKD301/302/303 over {tp + fp + fn + tn} files: {tp} bad flagged, {fn} bad missed, {fp} ok flagged, '
      f'{tn} ok clean: precision {precision:.2f}, recall {recall:.2f}')
sys.exit(0 if precision >= min_p and recall >= min_r else 1)
