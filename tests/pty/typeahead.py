"""Runs the studio in a pseudo-terminal that plays a terminal answering slowly or never.

usage: typeahead.py DELAY_MS|never LOG -- COMMAND...

Types a prompt and Enter 100 ms after the start, while the studio is still asking the
terminal what it can draw. When DELAY_MS is a number, answers DA1 (as a plain VT220 would,
no sixel), after its OSC 11 background, that long after the query arrives (1500 ms: after
the studio stopped waiting, so the reply comes in among the keys). Waits for the demo model's reply to be drawn
(the prompt's text echoed back by the conversation pane), then quits with Ctrl-Q. Everything
the studio wrote goes to LOG. Exits with the studio's exit code, or 3 on a timeout.
"""

import os
import pty
import select
import struct
import sys
import time
import fcntl
import termios

delay, log_path = sys.argv[1], sys.argv[2]
command = sys.argv[sys.argv.index("--") + 1 :]
PROMPT = b"a blue banana on the moon\r"

pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)

fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
start = time.monotonic()
typed = False
answer_at = None
quit_sent = False
output = bytearray()
deadline = start + 40
status = None
while time.monotonic() < deadline:
    now = time.monotonic()
    if not typed and now - start >= 0.1:
        os.write(fd, PROMPT)
        typed = True
    if answer_at is not None and now >= answer_at:
        # A white background, then DA1 (as a plain VT220 would: no sixel).
        os.write(fd, b"\x1b]11;rgb:ffff/ffff/ffff\x07\x1b[?62;22c")
        answer_at = None
    ready, _, _ = select.select([fd], [], [], 0.02)
    if ready:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        before = len(output)
        output += chunk
        if delay != "never" and b"\x1b[c" in output[max(0, before - 3) :] and answer_at is None:
            answer_at = time.monotonic() + int(delay) / 1000
            delay = "never"  # answer once
    if not quit_sent and b"Here is the infographic" in output:
        os.write(fd, b"\x11")
        quit_sent = True
    done, code = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(code)
        break

# The pty closes as the studio exits: collect its status.
while status is None and time.monotonic() < deadline:
    done, code = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(code)
    else:
        time.sleep(0.02)
with open(log_path, "wb") as log:
    log.write(output)
if status is None:
    os.kill(pid, 9)
    sys.exit(3)
sys.exit(status)
