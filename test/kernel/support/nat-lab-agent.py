# Traffic agent of the kernel tests' NAT lab (nat-lab.ts), run inside the lab's namespaces only:
#   serve NAME [--max-seconds S]   HTTP on tcp/8080 answering NAME, UDP echo on 53 and 5060
#   client STEP...                 bounded client steps (see run_step); prints a JSON summary
import json
import socket
import sys
import threading
import time

OP_TIMEOUT = 3.0


def serve(name, max_seconds):
    body = (name + '\n').encode()
    reply = b'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s' % (len(body), body)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    tcp.bind(('0.0.0.0', 8080))
    tcp.listen(64)
    udps = []
    for port in (53, 5060):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(('0.0.0.0', port))
        udps.append(u)

    def http_conn(conn):
        # Answers after the request head; a connection that never sends one is just held open.
        with conn:
            conn.settimeout(max_seconds)
            data = b''
            try:
                while b'\r\n\r\n' not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                conn.sendall(reply)
            except OSError:
                pass

    def accept_loop():
        while True:
            conn, _ = tcp.accept()
            threading.Thread(target=http_conn, args=(conn,), daemon=True).start()

    def echo_loop(u):
        while True:
            data, peer = u.recvfrom(65535)
            u.sendto(name.encode() + b' ' + data, peer)

    threading.Thread(target=accept_loop, daemon=True).start()
    for u in udps:
        threading.Thread(target=echo_loop, args=(u,), daemon=True).start()
    print('ready', flush=True)
    time.sleep(max_seconds)


def http_get(host, port, timeout=OP_TIMEOUT):
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(b'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' % host.encode())
        data = b''
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b'\r\n\r\n', 1)[1].decode().strip()


def udp_exchange(sock, host, port, payload):
    sock.sendto(payload, (host, port))
    data, _ = sock.recvfrom(65535)
    return data.split(b' ', 1)[0].decode()


def sip_message(host, port, call_id, cseq):
    lines = [
        'OPTIONS sip:%s:%d SIP/2.0' % (host, port),
        'Via: SIP/2.0/UDP client.example.net;branch=z9hG4bK%d' % cseq,
        'From: <sip:test@client.example.net>;tag=%d' % cseq,
        'To: <sip:%s>' % host,
        'Call-ID: %s' % call_id,
        'CSeq: %d OPTIONS' % cseq,
        'Content-Length: 0',
        '', '',
    ]
    return '\r\n'.join(lines).encode()


def count(answers, who):
    answers[who] = answers.get(who, 0) + 1


def run_step(step, summary, deadline):
    """One step: `http HOST PORT N`, `udp HOST PORT SOCKETS PER_SOCKET`, `sip HOST PORT CALLID...`,
    `hold HOST PORT N SECONDS` (N connections, no request, kept open), `load HOST TCPPORT UDPPORT SECONDS`,
    `stream HOST PORT SECONDS` (HTTP requests one after another; a request that fails counts as
    "failed", and the answers so far are printed every second)."""
    words = step.split()
    kind, host, port = words[0], words[1], int(words[2])
    answers = summary.setdefault('%s %s:%d' % (kind, host, port), {})
    if kind == 'http':
        for _ in range(int(words[3])):
            count(answers, http_get(host, port))
    elif kind == 'udp':
        socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(int(words[3]))]
        for s in socks:
            s.settimeout(OP_TIMEOUT)
            for i in range(int(words[4])):
                count(answers, udp_exchange(s, host, port, b'datagram %d ' % i + b'x' * 100))
            s.close()
    elif kind == 'sip':
        for call_id in words[3:]:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(OP_TIMEOUT)
                for cseq in (1, 2):
                    count(answers, udp_exchange(s, host, port, sip_message(host, port, call_id, cseq)))
    elif kind == 'hold':
        held = [socket.create_connection((host, port), timeout=OP_TIMEOUT) for _ in range(int(words[3]))]
        answers['held'] = len(held)
        print(json.dumps(summary), flush=True)
        time.sleep(max(0.0, min(float(words[4]), deadline - time.monotonic())))
        for s in held:
            s.close()
    elif kind == 'load':
        udp_port, end = int(words[3]), min(deadline, time.monotonic() + float(words[4]))
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.settimeout(OP_TIMEOUT)
        n = 0
        while time.monotonic() < end:
            count(answers, udp_exchange(u, host, udp_port, b'load ' + b'y' * 200))
            if n % 5 == 0:
                count(answers, http_get(host, port))
            n += 1
            time.sleep(0.05)
        u.close()
    elif kind == 'stream':
        end = min(deadline, time.monotonic() + float(words[3]))
        shown = time.monotonic()
        while time.monotonic() < end:
            try:
                count(answers, http_get(host, port, timeout=1.0))
            except (OSError, IndexError):
                count(answers, 'failed')
            if time.monotonic() - shown >= 1.0:
                shown = time.monotonic()
                print(json.dumps(summary), flush=True)
    else:
        raise SystemExit('unknown step: ' + step)


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == 'serve':
        max_seconds = float(sys.argv[4]) if len(sys.argv) >= 5 and sys.argv[3] == '--max-seconds' else 900.0
        serve(sys.argv[2], max_seconds)
    elif len(sys.argv) >= 2 and sys.argv[1] == 'client':
        deadline = time.monotonic() + 120.0
        summary = {}
        for step in sys.argv[2:]:
            run_step(step, summary, deadline)
        print(json.dumps(summary), flush=True)
    else:
        raise SystemExit('usage: nat-lab-agent.py serve NAME [--max-seconds S] | client STEP...')


main()
