#!/usr/bin/env python3
"""Generates packbell's alert chimes (16-bit mono WAV, 22 050 Hz) from sine partials.

Run from anywhere: `python3 assets/sounds/generate.py`. The WAVs are committed; this
script documents how they were made and lets anyone tune them. Each stays well under
100 KB. Only the Python standard library is used.
"""
import math
import os
import struct
import wave

RATE = 22050
HERE = os.path.dirname(os.path.abspath(__file__))


def strike(buf, start, freq, length, partials, decay, gain):
    """Adds a struck note: a short linear attack, then exponential decay per partial."""
    first = int(start * RATE)
    count = int(length * RATE)
    attack = int(0.004 * RATE)
    for i in range(count):
        j = first + i
        if j >= len(buf):
            break
        t = i / RATE
        env = min(1.0, i / attack) if attack else 1.0
        sample = 0.0
        for ratio, amp, extra_decay in partials:
            sample += amp * math.sin(2 * math.pi * freq * ratio * t) * math.exp(
                -t * decay * extra_decay
            )
        buf[j] += gain * env * sample


def beep(buf, start, freq, length, gain):
    """Adds a bright beep (odd harmonics) with soft 8 ms edges, cuts through noise."""
    first = int(start * RATE)
    count = int(length * RATE)
    edge = int(0.008 * RATE)
    for i in range(count):
        j = first + i
        if j >= len(buf):
            break
        t = i / RATE
        env = min(1.0, i / edge, (count - i) / edge)
        sample = (
            math.sin(2 * math.pi * freq * t)
            + 0.35 * math.sin(2 * math.pi * 3 * freq * t)
            + 0.15 * math.sin(2 * math.pi * 5 * freq * t)
        )
        buf[j] += gain * env * sample


def write(name, buf, peak):
    top = max(abs(s) for s in buf) or 1.0
    scale = peak / top
    path = os.path.join(HERE, name)
    with wave.open(path, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(
            b"".join(struct.pack("<h", int(s * scale * 32767)) for s in buf)
        )
    print(f"{path}: {os.path.getsize(path)} bytes")


def chime():
    """Two-note door chime, high then low: the everyday 'new order'."""
    buf = [0.0] * int(1.3 * RATE)
    partials = [(1.0, 1.0, 1.0), (2.0, 0.35, 1.6), (3.0, 0.12, 2.2)]
    strike(buf, 0.00, 1318.5, 1.3, partials, 3.2, 1.0)  # E6
    strike(buf, 0.28, 1046.5, 1.0, partials, 3.0, 1.0)  # C6
    write("chime.wav", buf, 0.75)


def bell():
    """A single small bell, inharmonic partials: an alternative everyday sound."""
    buf = [0.0] * int(1.6 * RATE)
    partials = [(1.0, 1.0, 1.0), (2.76, 0.45, 1.7), (5.40, 0.22, 2.5), (8.93, 0.08, 3.5)]
    strike(buf, 0.0, 880.0, 1.6, partials, 2.4, 1.0)
    write("bell.wav", buf, 0.75)


def urgent():
    """Three rising double beeps, louder: rush orders."""
    buf = [0.0] * int(1.05 * RATE)
    for n in range(3):
        at = n * 0.34
        beep(buf, at, 880.0, 0.12, 1.0)  # A5
        beep(buf, at + 0.14, 1318.5, 0.14, 1.0)  # E6
    write("urgent.wav", buf, 0.9)


def cancelled():
    """Three falling low beeps: 'stop', unlike any of the rising or bright sounds."""
    buf = [0.0] * int(1.0 * RATE)
    for n, freq in enumerate((659.3, 523.3, 392.0)):  # E5, C5, G4
        beep(buf, n * 0.3, freq, 0.24, 1.0)
    write("cancelled.wav", buf, 0.85)


def stock_critical():
    """A two-tone warble, low-high four times, then a low struck note: a critical
    stock alert. Alternating (neither rising like rush nor falling like cancelled)
    and lower than every order sound, so nobody mistakes it for an order."""
    buf = [0.0] * int(1.45 * RATE)
    for n in range(4):
        at = n * 0.2
        beep(buf, at, 440.0, 0.09, 1.0)  # A4
        beep(buf, at + 0.1, 587.3, 0.09, 1.0)  # D5
    partials = [(1.0, 1.0, 1.0), (2.0, 0.3, 1.6), (3.0, 0.1, 2.2)]
    strike(buf, 0.82, 392.0, 0.63, partials, 4.0, 1.2)  # G4
    write("stock_critical.wav", buf, 0.9)


if __name__ == "__main__":
    chime()
    bell()
    urgent()
    cancelled()
    stock_critical()
