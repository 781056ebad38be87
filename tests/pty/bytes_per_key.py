"""Counts the bytes the studio writes to its terminal for each key typed while a picture is shown.

usage: bytes_per_key.py PROTOCOL [KEYS]

Starts `banana-studio --demo --image-protocol PROTOCOL` (the binary from $BANANA_STUDIO_BIN) in
a 120x40 pseudo-terminal of 10x20 px cells that answers DA1 at once, sends a prompt and waits
until the demo's picture has been sent (sixel's DCS or kitty's transmission) and the screen is
quiet. Then types KEYS characters (default 20) into the prompt, one at a time, and after each
waits until the output has been quiet for 300 ms. Prints one line of JSON: the bytes of the
picture, and the bytes written per key (each, mean, max). Exits 3 if the picture never came.
"""

import fcntl
import json
import os
import pty
import select
import struct
import sys
import termios
import time

protocol = sys.argv[1]
keys = int(sys.argv[2]) if len(sys.argv) > 2 else 20
binary = os.environ["BANANA_STUDIO_BIN"]
PICTURE = {"sixel": b"\x1bP9;1;0q", "kitty": b"\x1b_Gq=2,i="}[protocol]

pid, fd = pty.fork()
if pid == 0:
    os.execvp(binary, [binary, "--demo", "--image-protocol", protocol])

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 1200, 800))
output = bytearray()


def read_for(seconds, quiet=None):
    """Reads until `seconds` pass, or until `quiet` seconds pass with no output."""
    start = last = time.monotonic()
    while True:
        now = time.monotonic()
        if now - start >= seconds or (quiet is not None and now - last >= quiet):
            return
        ready, _, _ = select.select([fd], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(fd, 1 << 20)
            except OSError:
                return
            if not chunk:
                return
            if b"\x1b[c" in chunk:
                os.write(fd, b"\x1b[?62;4;22c")  # DA1 at once: the query ends without a wait
            output.extend(chunk)
            last = time.monotonic()


def finish(code):
    # Ctrl-Q asks first (the typed keys are an unsent prompt); Ctrl-Q again quits.
    for _ in range(2):
        try:
            os.write(fd, b"\x11")
        except OSError:
            break
        read_for(2, quiet=0.5)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    sys.exit(code)


read_for(1.5, quiet=0.5)
os.write(fd, b"an infographic about bananas\r")
deadline = time.monotonic() + 30
while PICTURE not in output and time.monotonic() < deadline:
    read_for(0.2)
if PICTURE not in output:
    print(json.dumps({"error": "no picture was drawn"}))
    finish(3)
start = output.rfind(PICTURE)
read_for(10, quiet=1.0)
picture = len(output) - start
per_key = []
for index in range(keys):
    before = len(output)
    os.write(fd, bytes([ord("a") + index % 26]))
    read_for(5, quiet=0.3)
    per_key.append(len(output) - before)
print(
    json.dumps(
        {
            "protocol": protocol,
            "picture_bytes_at_least": picture,
            "per_key": per_key,
            "mean": sum(per_key) / len(per_key),
            "max": max(per_key),
        }
    )
)
finish(0)
