#!/usr/bin/python3
"""SMTP sending benchmark, the Python smtplib baseline (bench/): COUNT
messages of SIZE bytes over one smtplib connection (smtplib waits for each
reply; it does not pipeline). The message is built as bench_smtp_msg.c
builds it.

    bench_smtp_send.py HOST PORT COUNT SIZE
"""
import smtplib
import sys
import time


def message(size):
    head = (b"From: bench@localhost\r\nTo: sink@localhost\r\n"
            b"Subject: correu SMTP benchmark\r\nMessage-ID: <bench@localhost>\r\n\r\n")
    out = bytearray(head)
    while len(out) < size:
        n = 76 if size - len(out) > 80 else size - len(out) - 2
        out += bytes([ord("a") + len(out) % 26]) * n + b"\r\n"
    return bytes(out)


def main():
    host, port, count, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    msg = message(size)
    t0 = time.monotonic()
    with smtplib.SMTP(host, port, timeout=60) as s:
        for _ in range(count):
            s.sendmail("bench@localhost", ["sink@localhost"], msg)
    t = time.monotonic() - t0
    print(f"rate smtplib {count} {t:.3f} {count / t:.0f}")


if __name__ == "__main__":
    main()
