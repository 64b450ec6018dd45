#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn guest logs into one result line per test for scripts/sls-test.

  results.py kunit KMSG_LOG        KTAP of the built-in KUnit suites
  results.py kselftest CONSOLE_LOG TAP of the kselftests, between the
                                   markers that sls-run-kselftests prints

Prints "PASS name", "FAIL name" or "SKIP name", one per line, and
"FAIL ..." lines for results that are missing (a crash mid-run).  A
failed kselftest is followed by "INFO text" lines: the last lines it
logged (its figures and the assertion that failed).
"""
import re
import sys

KMSG_PREFIX = re.compile(r'^<\d+>(\[[^]]*\] ?)?')
RESULT = re.compile(r'^(\s*)(not ok|ok) (\d+) ([^#]*?)\s*(#\s*(\S+).*)?$')
PLAN = re.compile(r'^(\s*)1\.\.(\d+)$')
SUBTEST = re.compile(r'^(\s*)# Subtest: (\S+)')


def verdict(status, directive):
    if directive and directive.upper() == 'SKIP':
        return 'SKIP'
    return 'PASS' if status == 'ok' else 'FAIL'


def kunit(path):
    """Suites are at indent 0, their cases at indent 4."""
    out = []
    plan = None
    suites = 0
    suite = None
    cases = 0
    with open(path, errors='replace') as f:
        lines = [KMSG_PREFIX.sub('', l.rstrip('\n')) for l in f]
    for line in lines:
        m = PLAN.match(line)
        if m and not m.group(1) and plan is None:
            plan = int(m.group(2))
            continue
        m = SUBTEST.match(line)
        if m and len(m.group(1)) == 4:
            suite, cases = m.group(2), 0
            continue
        m = RESULT.match(line)
        if not m:
            continue
        indent, status, _, name, _, directive = m.groups()
        if len(indent) == 4 and suite:
            cases += 1
            out.append(f'{verdict(status, directive)} kunit: {suite}.{name}')
        elif not indent:
            suites += 1
            v = verdict(status, directive)
            if cases == 0 or (v == 'FAIL' and not any(
                    o.startswith('FAIL kunit: ' + name + '.') for o in out)):
                out.append(f'{v} kunit: {name}')
            suite = None
    if plan is None:
        out.append('FAIL kunit: no KTAP output in the kernel log')
    elif suites < plan:
        out.append(f'FAIL kunit: {plan - suites} of {plan} suites '
                   'reported no result')
    return out


DIAG_LINES = 12


def kselftest(path):
    out = []
    current = None
    diag = []
    with open(path, errors='replace') as f:
        lines = [l.rstrip('\r\n') for l in f]
    for line in lines:
        m = re.match(r'^# sls-kselftest-begin: (\S+)', line)
        if m:
            current, failed, diag = m.group(1), False, []
            continue
        m = re.match(r'^# sls-kselftest-end: (\S+) (\d+)', line)
        if m and current:
            if int(m.group(2)) != 0 and not failed:
                out.append(f'FAIL kselftest: {current}: exit status '
                           f'{m.group(2)}')
            current = None
            continue
        if line.startswith('#  RUN '):
            diag = []
        elif line.startswith('# ') and current:
            diag.append(line[2:].strip())
        m = RESULT.match(line)
        if m and current and not m.group(1):
            _, status, _, name, _, directive = m.groups()
            v = verdict(status, directive)
            failed |= v == 'FAIL'
            out.append(f'{v} kselftest: {current}: {name}')
            if v == 'FAIL':
                out.extend('INFO ' + d for d in diag[-DIAG_LINES:])
    if current:
        out.append(f'FAIL kselftest: {current}: ended without finishing')
    if not any(l.startswith('# sls-kselftest-begin: ') for l in lines):
        out.append('FAIL kselftest: no binary ran')
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('kunit', 'kselftest'):
        sys.exit(__doc__)
    try:
        fn = kunit if sys.argv[1] == 'kunit' else kselftest
        lines = fn(sys.argv[2])
    except OSError as e:
        lines = [f'FAIL {sys.argv[1]}: cannot read the log: {e.strerror}']
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
