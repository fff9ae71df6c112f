"""Reduces Chrome traces of libtorch's profiler (DJL's JniUtils.stopProfile, PyTorch's
export_chrome_trace) to self time per op: an event's duration less that of the events nested
in it on the same thread. Usage: python3 trace_ops.py STEPS LABEL=trace.json ... [--top N]
Prints one table, ms per step for each trace side by side, sorted by the first trace's time.
"""
import json, sys
from collections import defaultdict

def self_times(path):
    with open(path) as f:
        data = json.load(f)
    events = data['traceEvents'] if isinstance(data, dict) else data
    per_thread = defaultdict(list)
    for e in events:
        if e.get('ph') == 'X' and 'dur' in e:
            per_thread[(e.get('pid'), e.get('tid'))].append((float(e['ts']), float(e['dur']), e['name']))
    totals, counts = defaultdict(float), defaultdict(int)
    for evs in per_thread.values():
        evs.sort(key=lambda t: (t[0], -t[1]))
        stack = []  # [end, name, child_time]
        def pop():
            end, name, child, dur = stack.pop()
            totals[name] += dur - child
            if stack:
                stack[-1][2] += dur
        for ts, dur, name in evs:
            while stack and ts >= stack[-1][0] - 1e-3:
                pop()
            stack.append([ts + dur, name, 0.0, dur])
            counts[name] += 1
        while stack:
            pop()
    return totals, counts

def main():
    args = sys.argv[1:]
    top = 25
    if '--top' in args:
        i = args.index('--top'); top = int(args[i + 1]); del args[i:i + 2]
    steps = float(args[0])
    sides = [(a.split('=', 1)[0], self_times(a.split('=', 1)[1])) for a in args[1:]]
    names = sorted(sides[0][1][0], key=lambda n: -sides[0][1][0][n])
    for label, (t, c) in sides[1:]:
        names += [n for n in sorted(t, key=lambda n: -t[n]) if n not in names]
    header = f"{'op (self time, ms/step; calls/step)':<48}" + ''.join(f'{label:>22}' for label, _ in sides)
    print(header)
    for n in names[:top]:
        row = f'{n[:47]:<48}'
        for _, (t, c) in sides:
            row += f'{t.get(n, 0) / 1000 / steps:>13.2f} ({c.get(n, 0) / steps:>5.0f})'
        print(row)
    row = f"{'total':<48}"
    for _, (t, c) in sides:
        row += f'{sum(t.values()) / 1000 / steps:>13.2f} ({sum(c.values()) / steps:>5.0f})'
    print(row)

if __name__ == '__main__':
    main()
