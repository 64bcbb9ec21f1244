#!/usr/bin/env python3
"""termscan.py: checks a raw terminal output stream (tmux pipe-pane) for bytes that did not come
from curses.

Every escape sequence must be one ncurses emits for xterm-256color / tmux / screen (cursor motion,
erase, attributes, scroll region, modes it sets and resets): no OSC, DCS, APC, PM, SOS, no device
status or attribute requests, no reset. What is left after removing them must be valid UTF-8 with
no C0 control but the ones curses moves the cursor with (CR, LF, BS, TAB), no C1 control, no bidi
or invisible character.

  termscan.py RAW [--exited] [--ascii] [--osc52 N] [--drawn TEXT]... [--absent TEXT]...

--exited  the stream holds the whole session: the alternate screen was entered once and left once,
          and the terminal modes are back (cursor visible, keypad and bracketed paste off).
--ascii   no byte above 0x7f at all (a terminal that is not UTF-8).
--osc52   exactly N clipboard copies (OSC 52, and tmux's DCS passthrough of it) are allowed, with
          nothing but base64 inside.
--drawn   TEXT (UTF-8, after removing the escape sequences) appears: the hostile text was drawn.
--absent  TEXT never appears, not even split by escape sequences.
Exit status 0 when clean; otherwise one line per problem (at most 20) and status 1.
"""
import re
import sys
import unicodedata

# Sequences curses may send, each matched at an ESC. Anything else is an injection.
ALLOWED = [
    rb"\x1b\[H\x1b\[2J",  # clear screen: only as curses sends it, home first
    rb"\x1b\[[0-9;]*m",  # SGR attributes and colours
    rb"\x1b\[[0-9]*(;[0-9]*)?[Hf]",  # cursor position
    rb"\x1b\[[0-9]*[ABCDEGILMPSTXZ@d`b]",  # relative motion, lines, chars, erase chars, repeat
    rb"\x1b\[1?K",  # erase to end or to start of line
    rb"\x1b\[J",  # erase below
    rb"\x1b\[[0-9]+;[0-9]+r",  # scroll region
    rb"\x1b\[(22|23);0;0t",  # title stack save and restore around the alternate screen
    rb"\x1b\[4[hl]",  # insert mode
    rb"\x1b\[\?(1049|1047|47|1|7|12|25|2004|1000|1002|1006)(;(1000|1002|1006))*[hl]",  # modes curses owns
    rb"\x1b[()][0B]",  # character set designation
    rb"\x1b[=>78M]",  # keypad modes, save and restore cursor, reverse index
]
ALLOWED_RE = [re.compile(p) for p in ALLOWED]
OSC52 = [re.compile(rb"\x1b\]52;c;[A-Za-z0-9+/]*={0,2}\x07"),
         re.compile(rb"\x1bPtmux;\x1b\x1b\]52;c;[A-Za-z0-9+/]*={0,2}\x07\x1b\\")]
ALLOWED_C0 = {0x08, 0x09, 0x0A, 0x0D}

# Characters that must not reach the terminal as themselves.
INVISIBLE = set(range(0x200B, 0x2010)) | set(range(0x2028, 0x202F)) | set(range(0x2060, 0x2070))
INVISIBLE |= {0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x3164, 0xFEFF, 0xFFA0}
INVISIBLE |= set(range(0xFE00, 0xFE10)) | set(range(0xE0000, 0xE1000))

MODES = {b"1049": "alternate screen", b"25": "cursor visible", b"1": "keypad (DECCKM)",
         b"2004": "bracketed paste", b"1000": "mouse reporting"}
MODES_AT_EXIT = {b"1049": False, b"25": True, b"1": False, b"2004": False, b"1000": False}


def scan(data, exited, drawn, absent, ascii_only=False, osc52=0):
    problems = []
    copies = 0
    text = bytearray()
    modes = {}
    alt_on = alt_off = 0
    i, n = 0, len(data)
    while i < n:
        b = data[i]
        if b == 0x1B:
            m = None
            for r in OSC52 if osc52 else []:
                m = r.match(data, i)
                if m:
                    break
            if m:
                copies += 1
                i = m.end()
                continue
            for r in ALLOWED_RE:
                m = r.match(data, i)
                if m:
                    break
            else:
                problems.append("offset %d: escape sequence curses does not send: %r" %
                                (i, data[i:i + 24]))
                i += 1
                continue
            seq = m.group(0)
            mm = re.fullmatch(rb"\x1b\[\?([0-9;]+)([hl])", seq)
            for mode in mm.group(1).split(b";") if mm else []:
                if mode not in MODES:
                    continue
                modes[mode] = mm.group(2) == b"h"
                if mode == b"1049":
                    if mm.group(2) == b"h":
                        alt_on += 1
                    else:
                        alt_off += 1
            i = m.end()
            continue
        if b < 0x20 and b not in ALLOWED_C0 or b == 0x7F:
            problems.append("offset %d: control byte 0x%02x: %r" % (i, b, data[max(0, i - 16):i + 16]))
        text.append(b)
        i += 1

    try:
        s = text.decode("utf-8")
    except UnicodeDecodeError as e:
        problems.append("not UTF-8 after removing escapes: %s near %r" %
                        (e.reason, bytes(text[max(0, e.start - 16):e.end + 16])))
        s = text.decode("utf-8", "replace")
    for k, ch in enumerate(s):
        c = ord(ch)
        cat = unicodedata.category(ch)
        if 0x80 <= c < 0xA0 or c in INVISIBLE or cat in ("Cf", "Zl", "Zp", "Cs"):
            problems.append("raw U+%04X (%s) at character %d: %r" % (c, cat, k, s[max(0, k - 16):k + 16]))
    if osc52 and copies not in (osc52, 2 * osc52):
        problems.append("%d clipboard sequences, want %d (or twice that, for tmux)" % (copies, osc52))
    if ascii_only:
        for k, b in enumerate(data):
            if b > 0x7F:
                problems.append("offset %d: byte 0x%02x in an ASCII stream: %r" % (k, b, data[max(0, k - 16):k + 16]))
                break
    for t in drawn:
        if t not in s:
            problems.append("never drawn: %r" % t)
    for t in absent:
        if t.encode() in data or t in s:
            problems.append("must not appear, but does: %r" % t)
    if exited:
        if alt_on != 1 or alt_off != 1:
            problems.append("alternate screen entered %d and left %d times (want 1 and 1)" %
                            (alt_on, alt_off))
        for mode, want in MODES_AT_EXIT.items():
            if modes.get(mode, False) != want:
                problems.append("at the end, %s is %s" % (MODES[mode], "on" if modes.get(mode) else "off"))
    return problems


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        return 2
    path, exited, ascii_only, osc52, drawn, absent = None, False, False, 0, [], []
    while args:
        a = args.pop(0)
        if a == "--exited":
            exited = True
        elif a == "--osc52":
            osc52 = int(args.pop(0))
        elif a == "--ascii":
            ascii_only = True
        elif a == "--drawn":
            drawn.append(args.pop(0))
        elif a == "--absent":
            absent.append(args.pop(0))
        else:
            path = a
    with open(path, "rb") as f:
        data = f.read()
    problems = scan(data, exited, drawn, absent, ascii_only, osc52)
    for p in problems[:20]:
        print(p)
    if len(problems) > 20:
        print("... and %d more" % (len(problems) - 20))
    print("%s: %d bytes, %d problems" % (path, len(data), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
