#!/usr/bin/python3
"""Tones to play and what a recording heard, for the phone tests.

  audio.py tone WAV SECONDS HZ   an 8 kHz mono 16-bit WAV: a sine at HZ,
                                 -6 dBFS (headroom for G.711)
  audio.py freq WAV [HZ]         prints "DOMINANT FRACTION SECONDS": the
                                 recording's dominant frequency (Hz), the
                                 fraction of it that carries that tone (or
                                 HZ, if given) and its length

The recording is cut into frames of about 32 ms (a power of two of
samples), Hann-windowed and transformed (radix-2 FFT, pure Python).  A frame
carries a tone at F when it is above -50 dBFS, its strongest bin's main lobe
(five bins) holds at least half of its energy, and that peak, refined by
interpolation on the log spectrum, is within one bin of F.  The dominant
frequency is the median peak of the frames around the most common peak bin.
Exit status 1 when no frame carries any tone.
"""
import cmath
import math
import struct
import sys
import wave

RATE = 8000


def tone(path, seconds, hz):
    amp = 32767 * 10 ** (-6 / 20)
    n = round(seconds * RATE)
    w = 2 * math.pi * hz / RATE
    with wave.open(path, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(RATE)
        f.writeframes(struct.pack("<%dh" % n, *(round(amp * math.sin(w * i)) for i in range(n))))


def fft(x):
    """In-place iterative radix-2 FFT of a list of complex, len a power of 2."""
    n = len(x)
    j = 0
    for i in range(1, n):
        bit = n >> 1
        while j & bit:
            j ^= bit
            bit >>= 1
        j |= bit
        if i < j:
            x[i], x[j] = x[j], x[i]
    size = 2
    while size <= n:
        wn = cmath.exp(-2j * math.pi / size)
        half = size // 2
        for start in range(0, n, size):
            w = 1
            for k in range(start, start + half):
                t = w * x[k + half]
                x[k + half] = x[k] - t
                x[k] += t
                w *= wn
        size *= 2
    return x


def read(path):
    with wave.open(path, "rb") as f:
        if f.getsampwidth() != 2:
            sys.exit("audio.py: %s: not 16-bit PCM" % path)
        rate, ch = f.getframerate(), f.getnchannels()
        raw = f.readframes(f.getnframes())
    s = struct.unpack("<%dh" % (len(raw) // 2), raw)
    return rate, s[::ch]  # the first channel


def peaks(rate, s):
    """Per frame: its peak frequency, or None when it carries no tone."""
    n = 1 << round(math.log2(rate * 0.032))
    hann = [0.5 - 0.5 * math.cos(2 * math.pi * i / n) for i in range(n)]
    floor = n * (32768 * 10 ** (-50 / 20)) ** 2
    out = []
    for at in range(0, len(s) - n + 1, n):
        x = s[at:at + n]
        mean = sum(x) / n
        if sum((v - mean) ** 2 for v in x) < floor:
            out.append(None)
            continue
        p = [abs(c) ** 2 for c in fft([complex((v - mean) * h) for v, h in zip(x, hann)])[:n // 2]]
        k = max(range(2, n // 2 - 2), key=p.__getitem__)
        if sum(p[k - 2:k + 3]) < 0.5 * sum(p[1:]):
            out.append(None)
            continue
        a, b, c = (math.log(p[i] + 1e-9) for i in (k - 1, k, k + 1))
        d = a - 2 * b + c
        out.append((k + (0.5 * (a - c) / d if d else 0)) * rate / n)
    return out, rate / n


def freq(path, want=None):
    rate, s = read(path)
    fs, binw = peaks(rate, s)
    tonal = [f for f in fs if f is not None]
    if not tonal:
        print("0 0.000 %.2f" % (len(s) / rate))
        return 1
    bins = [round(f / binw) for f in tonal]
    top = max(set(bins), key=bins.count)
    near = sorted(f for f in tonal if abs(f / binw - top) <= 1)
    dom = near[len(near) // 2]
    at = dom if want is None else want
    hit = sum(1 for f in tonal if abs(f - at) <= binw)
    print("%.1f %.3f %.2f" % (dom, hit / max(len(fs), 1), len(s) / rate))
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "tone":
        tone(argv[2], float(argv[3]), float(argv[4]))
        return 0
    if len(argv) in (3, 4) and argv[1] == "freq":
        return freq(argv[2], float(argv[3]) if len(argv) == 4 else None)
    sys.exit(__doc__.strip())


if __name__ == "__main__":
    sys.exit(main(sys.argv))
