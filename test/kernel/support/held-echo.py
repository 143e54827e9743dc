# Held echo connections of the kernel tests, run inside a lab namespace only:
#   held-echo.py serve NAME PORT          echoes each line back with NAME and a space before it
#   held-echo.py HOST PORT N SECONDS      opens N TCP connections, sends each a numbered line every 100 ms for SECONDS and checks the echo
# (the server puts its name and a space before each line); prints `ready` and each connection's
# server once every connection answered, then one JSON summary: servers, lines echoed, the longest
# wait for one echo (ms), broken ones (a reset, a close, or no echo within 10 s).
import json
import socket
import sys
import threading
import time


def serve(name, port):
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('0.0.0.0', port))
    listener.listen(64)
    print('ready', flush=True)

    def echo(conn):
        with conn, conn.makefile('rb') as lines:
            for line in lines:
                conn.sendall(name.encode() + b' ' + line)

    while True:
        conn, _ = listener.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


if sys.argv[1] == 'serve':
    serve(sys.argv[2], int(sys.argv[3]))
    sys.exit(0)

host, port, n, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
conns = [socket.create_connection((host, port), timeout=3.0) for _ in range(n)]
for c in conns:
    c.settimeout(10.0)
bufs = [b''] * n
servers = [None] * n
echoed = [0] * n
stall = [0] * n
broken = [None] * n


def exchange(i, seq):
    line = b'c%d %d\n' % (i, seq)
    conns[i].sendall(line)
    while b'\n' not in bufs[i]:
        chunk = conns[i].recv(4096)
        if not chunk:
            raise OSError('closed by the peer')
        bufs[i] += chunk
    got, bufs[i] = bufs[i].split(b'\n', 1)
    name, _, rest = got.partition(b' ')
    if rest + b'\n' != line:
        raise OSError('echo differs: %r' % got)
    return name.decode()


end = time.monotonic() + seconds
seq = 0
while time.monotonic() < end:
    started = time.monotonic()
    for i in range(n):
        if broken[i] is not None:
            continue
        try:
            sent = time.monotonic()
            servers[i] = exchange(i, seq)
            echoed[i] += 1
            stall[i] = max(stall[i], round((time.monotonic() - sent) * 1000))
        except OSError as e:
            broken[i] = '%s after %d lines' % (e, echoed[i])
    if seq == 0:
        print('ready ' + json.dumps(servers), flush=True)
    seq += 1
    time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))
for c in conns:
    c.close()
print(json.dumps({'servers': servers, 'echoed': echoed, 'stallMs': stall, 'broken': broken}), flush=True)
