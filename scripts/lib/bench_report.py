#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console log of an sls-bench run into its report.

Usage: bench_report.py DIR KERNEL_VERSION COMMAND

DIR/bench.log is the guest's console.  Each line "csv:NAME:FIELDS" goes
to DIR/NAME.csv (its first such line is the header); DIR/report.md gets
the date, the kernel, the command, every CSV as a table and the lines the
benchmarks printed; with gnuplot, a graph of each table PLOTS names
(DIR/redis.png, full.png, incremental.png, restore.png, kv.png).  Exit
status 1 if the log holds no CSV row of figures.
"""
import datetime
import os
import re
import shutil
import subprocess
import sys

NOISE = re.compile(r'^\[\s*\d+\.\d+\]|^csv:|^sls-vm:')


def read_log(path):
    with open(path, errors='replace') as f:
        return [line.rstrip('\r\n') for line in f]


def split_csv(lines):
    tables = {}
    for line in lines:
        m = re.match(r'^csv:([a-z0-9_-]+):(.*)$', line)
        if m:
            tables.setdefault(m.group(1), []).append(m.group(2).split(','))
    return tables


def write_csv(out, name, rows):
    with open(os.path.join(out, name + '.csv'), 'w') as f:
        for row in rows:
            f.write(','.join(row) + '\n')


def markdown(rows):
    head, body = rows[0], rows[1:]
    md = ['| ' + ' | '.join(head) + ' |',
          '|' + '---|' * len(head)]
    md += ['| ' + ' | '.join(r) + ' |' for r in body]
    return md


# name: (histogram?, x label, y label, title, [(column, legend)], log y?)
PLOTS = {
    'redis': (True, '', 'requests/s', 'Redis under redis-benchmark, by persistence',
              [('set_rps', 'SET'), ('get_rps', 'GET')], False),
    'full': (False, 'RSS (MiB)', 'ms', 'Full checkpoint: sls stop time and criu frozen time',
             [('stop_ms', 'sls stop'), ('criu_frozen_ms', 'criu dump frozen')], True),
    'incremental': (False, 'dirty set (KiB)', 'ms',
                    'Incremental checkpoint: sls stop and flush, criu frozen time',
                    [('stop_ms', 'sls stop'), ('flush_ms', 'sls flush'),
                     ('criu_frozen_ms', 'criu dump --prev-images-dir frozen')], True),
    'restore': (False, 'RSS (MiB)', 'ms', 'Restore until every page was read',
                [('eager_all_ms', 'sls eager'), ('criu_all_ms', 'criu restore')], True),
    'kv': (True, 'puts per batch', 'puts/s', 'Key-value store: table as a region vs write-ahead log',
           [('region_puts_s', 'sls region'), ('wal_puts_s', 'WAL + fdatasync')], True),
}


def plot(out, name, rows):
    """DIR/NAME.png from NAME.csv with gnuplot: its file name, or None."""
    if name not in PLOTS or not shutil.which('gnuplot') or len(rows) < 2:
        return None
    histogram, xlabel, ylabel, title, series, logy = PLOTS[name]
    head = rows[0]
    series = [(head.index(c) + 1, t) for c, t in series if c in head]
    if not series:
        return None
    png = os.path.join(out, name + '.png')
    csv = os.path.join(out, name + '.csv')
    style = ('set style data histograms\nset style histogram clustered\n'
             'set style fill solid 0.8\nset xtics rotate by -30\n'
             if histogram else 'set style data linespoints\nset logscale x 2\n')
    uses = [f"'{csv}' skip 1 using {col}:xtic(1) title '{t}'" if histogram else
            f"'{csv}' skip 1 using 1:{col} title '{t}'" for col, t in series]
    script = f"""
set terminal png size 900,500
set output '{png}'
set datafile separator ','
set datafile missing 'n/a'
{style}{'set logscale y' if logy else 'set yrange [0:*]'}
set xlabel '{xlabel}'
set ylabel '{ylabel}'
set title '{title}'
plot {', '.join(uses)}
"""
    if subprocess.run(['gnuplot'], input=script, text=True).returncode:
        print(f'sls-bench: gnuplot failed: no {name}.png', file=sys.stderr)
        return None
    return name + '.png'


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, kernel, command = sys.argv[1:]
    lines = read_log(os.path.join(out, 'bench.log'))
    tables = split_csv(lines)
    for name, rows in tables.items():
        write_csv(out, name, rows)
    md = ['# sls-bench', '',
          f'- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}',
          f'- kernel: {kernel}', f'- command: `{command}`', '']
    for name, rows in tables.items():
        md += [f'## {name}', ''] + markdown(rows) + ['']
        png = plot(out, name, rows)
        if png:
            md += [f'![{PLOTS[name][3]}]({png})', '']
    md += ['## Everything the benchmarks printed', '', '```']
    md += [line for line in lines if line and not NOISE.match(line)]
    md += ['```', '']
    with open(os.path.join(out, 'report.md'), 'w') as f:
        f.write('\n'.join(md))
    print(f'sls-bench: report in {os.path.join(out, "report.md")}')
    return 0 if any(len(rows) > 1 for rows in tables.values()) else 1


if __name__ == '__main__':
    sys.exit(main())
