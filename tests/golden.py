#!/usr/bin/env python3
"""Golden feed tests: every NAME.xml (and NAME.jsonfeed, a JSON Feed
document: .json names the expected outputs) in DIR is parsed with
`feedkeep parse NAME.xml --format json` and compared with NAME.json.

Only the keys present in the expected file are compared, so expectations
stay readable; lists must have the same length. A file NAME.args holds
extra command-line arguments (one per line), e.g. --base-url.

usage: golden.py feeds FEEDKEEP DIR
"""
import json
import os
import subprocess
import sys


def compare(path, expected, got, problems):
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            problems.append('%s: expected an object, got %r' % (path, got))
            return
        for key, value in expected.items():
            if key not in got:
                problems.append('%s.%s: missing' % (path, key))
            else:
                compare('%s.%s' % (path, key), value, got[key], problems)
    elif isinstance(expected, list):
        if not isinstance(got, list) or len(got) != len(expected):
            problems.append('%s: expected %d elements, got %r' % (
                path, len(expected), got if not isinstance(got, list) else len(got)))
            return
        for i, (e, g) in enumerate(zip(expected, got)):
            compare('%s[%d]' % (path, i), e, g, problems)
    elif expected != got:
        problems.append('%s: expected %r, got %r' % (path, expected, got))


def run_feeds(binary, directory):
    inputs = {}
    for f in os.listdir(directory):
        name, ext = os.path.splitext(f)
        if ext in ('.xml', '.jsonfeed'):
            inputs[name] = f
    names = sorted(inputs)
    if not names:
        print('no golden feeds in %s' % directory)
        return 1
    failures = 0
    for name in names:
        base = os.path.join(directory, name)
        if not os.path.exists(base + '.json'):
            print('FAIL %s: no %s.json beside it' % (name, name))
            failures += 1
            continue
        args = []
        if os.path.exists(base + '.args'):
            with open(base + '.args', encoding='utf-8') as fh:
                args = [line.rstrip('\n') for line in fh if line.strip()]
        source = os.path.join(directory, inputs[name])
        proc = subprocess.run([binary, 'parse', source, '--format', 'json'] + args,
                              capture_output=True, timeout=60)
        problems = []
        try:
            got = json.loads(proc.stdout.decode('utf-8'))
        except ValueError as e:
            problems.append('output is not JSON (%s); exit %d, stderr %r' % (
                e, proc.returncode, proc.stderr.decode(errors='replace')))
        else:
            with open(base + '.json', encoding='utf-8') as fh:
                expected = json.load(fh)
            compare(name, expected, got, problems)
        if problems:
            failures += 1
            print('FAIL %s' % name)
            for p in problems:
                print('  ' + p)
        else:
            print('ok   %s' % name)
    print('%d golden feeds, %d failed' % (len(names), failures))
    return 1 if failures else 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] != 'feeds':
        print(__doc__, file=sys.stderr)
        return 2
    return run_feeds(sys.argv[2], sys.argv[3])


if __name__ == '__main__':
    sys.exit(main())
