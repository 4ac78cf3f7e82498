#!/usr/bin/env python3
"""A Ganglion TCP event-bus bridge client in plain Python (standard library only).

Wire format: each frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. A request is
  {"type":"send","address":"ganglion.retrieval.search","replyAddress":"<yours>",
   "headers":{"authorization":"Bearer <api key or JWT>"},"body":{...}}
and its answer is {"type":"message","address":"<yours>","body":{...}} or
  {"type":"err","address":"<yours>","failureCode":4040,"message":"..."}.
The tenant always comes from the credential; a "tenant" in the body is overwritten.

  bench/bridge-client.py --port 7000 --key $KEY search handbook "how are jobs resumed"
  bench/bridge-client.py --port 7000 --key $KEY ask handbook "how are jobs resumed"      (streams tokens, then the answer)
  bench/bridge-client.py --host ganglion.example.com --tls --cafile ca.pem --key $KEY search handbook "resumed"
    (a server with tls.cert/tls.key: TLS, verifying the certificate and host name; --cafile omitted = system CAs)
"""
import argparse
import json
import socket
import ssl
import struct
import sys
import uuid


def write_frame(sock, frame):
    data = json.dumps(frame).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def read_exactly(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("bridge closed the connection")
        buf += chunk
    return buf


def read_frame(sock):
    (length,) = struct.unpack(">I", read_exactly(sock, 4))
    return json.loads(read_exactly(sock, length).decode("utf-8"))


def request(sock, key, address, body, headers=None):
    """Sends one request and returns the frame that answers it (events for other addresses are skipped)."""
    reply = "py.reply." + uuid.uuid4().hex
    all_headers = {"authorization": "Bearer " + key}
    all_headers.update(headers or {})
    write_frame(sock, {"type": "send", "address": address, "replyAddress": reply, "headers": all_headers, "body": body})
    while True:
        frame = read_frame(sock)
        if frame.get("address") == reply:
            return frame


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7000)
    parser.add_argument("--key", required=True, help="API key or JWT")
    parser.add_argument("--tls", action="store_true", help="connect with TLS (the server sets tls.cert/tls.key)")
    parser.add_argument("--cafile", help="PEM certificates to verify the server with (default: the system's CAs)")
    parser.add_argument("command", choices=["search", "ask"])
    parser.add_argument("kb")
    parser.add_argument("text")
    args = parser.parse_args()

    sock = socket.create_connection((args.host, args.port), timeout=60)
    if args.tls:
        context = ssl.create_default_context(cafile=args.cafile)  # verifies the chain and the host name
        sock = context.wrap_socket(sock, server_hostname=args.host)
    with sock:
        if args.command == "search":
            frame = request(sock, args.key, "ganglion.retrieval.search", {"kb": args.kb, "query": args.text, "k": 5})
        else:
            stream = "ganglion.orchestrator.stream." + uuid.uuid4().hex
            write_frame(sock, {"type": "register", "address": stream, "headers": {"authorization": "Bearer " + args.key}})
            reply = "py.reply." + uuid.uuid4().hex
            write_frame(sock, {"type": "send", "address": "ganglion.reflex.ask", "replyAddress": reply,
                               "headers": {"authorization": "Bearer " + args.key, "x-ask-stream": stream},
                               "body": {"kb": args.kb, "question": args.text}})
            while True:
                frame = read_frame(sock)
                if frame.get("address") == stream and frame["body"].get("event") == "token":
                    sys.stderr.write(frame["body"]["data"]["text"])
                elif frame.get("address") == reply:
                    sys.stderr.write("\n")
                    break
    if frame.get("type") == "err":
        print(json.dumps(frame), file=sys.stderr)
        sys.exit(1)
    print(json.dumps(frame["body"], indent=2))


if __name__ == "__main__":
    main()
