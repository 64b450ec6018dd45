#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console log of an sls-bench run into its report.

Usage: bench_report.py DIR KERNEL_VERSION COMMAND

DIR/bench.log is the guest's console.  Each line "csv:NAME:FIELDS" goes
to DIR/NAME.csv (its first such line is the header); DIR/report.md gets
the date, the kernel, the command, every CSV as a table and the lines the
benchmarks printed; with gnuplot, DIR/redis.png shows the Redis
throughputs.  Exit status 1 if the log holds no CSV row of figures.
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


def plot_redis(out, rows):
    if not shutil.which('gnuplot') or len(rows) < 2:
        return None
    png = os.path.join(out, 'redis.png')
    script = f"""
set terminal png size 900,500
set output '{png}'
set datafile separator ','
set style data histograms
set style histogram clustered
set style fill solid 0.8
set ylabel 'requests/s'
set yrange [0:*]
set title 'Redis under redis-benchmark, by persistence'
set xtics rotate by -30
plot '{os.path.join(out, 'redis.csv')}' skip 1 using 2:xtic(1) title 'SET', \\
     '' skip 1 using 4 title 'GET'
"""
    if subprocess.run(['gnuplot'], input=script, text=True).returncode:
        print('sls-bench: gnuplot failed: no redis.png', file=sys.stderr)
        return None
    return 'redis.png'


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
        if name == 'redis':
            png = plot_redis(out, rows)
            if png:
                md += [f'![Redis throughput]({png})', '']
    md += ['## Everything the benchmarks printed', '', '```']
    md += [line for line in lines if line and not NOISE.match(line)]
    md += ['```', '']
    with open(os.path.join(out, 'report.md'), 'w') as f:
        f.write('\n'.join(md))
    print(f'sls-bench: report in {os.path.join(out, "report.md")}')
    return 0 if any(len(rows) > 1 for rows in tables.values()) else 1


if __name__ == '__main__':
    sys.exit(main())
