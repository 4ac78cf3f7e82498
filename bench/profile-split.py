#!/usr/bin/env python3
"""Where a request's CPU goes, per route, from bench/cache.sh's async-profiler stacks.

    ASPROF=.../libasyncProfiler.so PROFILE=/tmp/prof bench/cache.sh
    bench/profile-split.py /tmp/prof

Reads PROFILE/{health,ask}-N.collapsed (async-profiler's collapsed stacks, cpu at 200 us) and PROFILE/rounds.txt
(the requests of each slice), and prints, for each stage, the samples per 1,000 requests of each route and their
difference. A sample goes to the first of: the socket flush (the write system call), Vert.x's HTTP metrics, the
innermost Ganglion class on its stack (or Vert.x Web's body handler), the response's end, Netty's HTTP decoder, route
matching outside Ganglion's handlers, the rest of the router, the rest of the read; threads other than the event loops
are grouped by their first frame (the JIT compilers and the GC among them).
"""
import collections
import glob
import os
import re
import sys

INTERVAL_US = 200


def stacks(path):
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            cut = line.rfind(' ')
            yield line[:cut].split(';'), int(line[cut + 1:])


def stage(frames):
    if not any('SingleThreadIoEventLoop.run' in f for f in frames):
        if any('CompileBroker' in f for f in frames):
            return 'JIT compiler threads'
        if any(re.search(r'G1|GC|WorkerThread', f) for f in frames):
            return 'GC threads'
        return 'other threads: ' + frames[0][:30]
    inner = None
    for f in frames:
        if 'HeadContext.flush' in f or 'AbstractUnsafe.flush' in f:
            return 'socket flush (write syscall)'
        if 'VertxHttpServerMetrics' in f:
            return 'Vert.x HTTP metrics'
        if f.startswith('io/ganglion/') and '$$Lambda' not in f:
            inner = re.sub(r'\$.*', '', f[len('io/ganglion/'):].rsplit('.', 1)[0])
        elif 'BodyHandlerImpl' in f and '$$Lambda' not in f:
            inner = 'vert.x BodyHandler'
        elif 'Http1xServerResponse.end' in f:
            inner = 'response end (headers, encode, write)'
    if inner:
        return inner
    if any('HttpObjectDecoder.decode' in f for f in frames):
        return 'HTTP decode'
    if any('RouteState.matches' in f for f in frames):
        return 'route matching (before any Ganglion handler)'
    if any('RouterImpl.handle' in f or 'iterateNext' in f for f in frames):
        return 'router, other'
    if any('NioByteUnsafe.read' in f for f in frames):
        return 'Netty read, other'
    return 'event loop, other'


def main(directory):
    requests = collections.Counter()
    with open(os.path.join(directory, 'rounds.txt')) as f:
        for line in f:
            route, rnd, n = line.split()[:3]
            requests[route] += int(n)
    per_k = {}
    for route in ('health', 'ask'):
        counts = collections.Counter()
        for path in glob.glob(os.path.join(directory, route + '-*.collapsed')):
            for frames, n in stacks(path):
                counts[stage(frames)] += n
        per_k[route] = {k: v * 1000 / requests[route] for k, v in counts.items()}
    h, a = per_k['health'], per_k['ask']
    print('samples of %d us per 1,000 requests (%d health, %d ask requests)' % (INTERVAL_US, requests['health'],
                                                                                requests['ask']))
    print('%-46s %8s %8s %8s' % ('stage', 'health', 'ask', 'diff'))
    for k in sorted(set(h) | set(a), key=lambda k: -a.get(k, 0)):
        if max(h.get(k, 0), a.get(k, 0)) >= 0.3:
            print('%-46s %8.2f %8.2f %8.2f' % (k[:46], h.get(k, 0), a.get(k, 0), a.get(k, 0) - h.get(k, 0)))
    th, ta = sum(h.values()), sum(a.values())
    print('%-46s %8.2f %8.2f %8.2f   (%.1f / %.1f us a request, ratio %.2fx)' % (
        'total', th, ta, ta - th, th * INTERVAL_US / 1000, ta * INTERVAL_US / 1000, ta / th))


if __name__ == '__main__':
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
