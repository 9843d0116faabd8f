#!/usr/bin/env python3
"""Independent reference values for NumericsTests' pinned seeds and random streams.

Written from the published algorithms, not from the C# code:
- SplitMix64: Vigna, splitmix64.c (prng.di.unimi.it); next() adds 0x9E3779B97F4A7C15 to the
  state and returns the finaliser of the new state. Its known test vector: seed 1234567 gives
  6457827717110365317 first.
- xoshiro256**: Blackman and Vigna, xoshiro256starstar.c, its state filled by four SplitMix64
  outputs as the authors recommend.
- FNV-1a 64: Fowler, Noll, Vo (IETF draft-eastlake-fnv): offset basis 0xcbf29ce484222325,
  prime 0x100000001b3; "a" hashes to 0xaf63dc4c8601ec8c.
Run: python3 rng_vectors.py
"""
M = (1 << 64) - 1


def splitmix_next(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def mix(value):
    return splitmix_next(value)[1]


def fnv1a(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & M
    return h


def derive(parent, purpose, *ids):
    seed = mix(parent ^ mix(fnv1a(purpose)))
    for i in ids:
        seed = mix(seed ^ mix(i & M))
    return seed


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


def xoshiro(seed, count):
    x, s = seed, []
    for _ in range(4):
        x, v = splitmix_next(x)
        s.append(v)
    out = []
    for _ in range(count):
        out.append((rotl((s[1] * 5) & M, 7) * 9) & M)
        t = (s[1] << 17) & M
        s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t
        s[3] = rotl(s[3], 45)
    return out


assert splitmix_next(1234567)[1] == 6457827717110365317
assert fnv1a("a") == 0xAF63DC4C8601EC8C
print("Seed.Mix(1234567)           =", mix(1234567))
print("Seed.Derive(7, client, 3, 4) = 0x%016X" % derive(7, "client", 3, 4))
print("Seed.Derive(1, partition)    = 0x%016X" % derive(1, "partition"))
print("xoshiro256** seed 0, first 3 =", ["0x%016X" % v for v in xoshiro(0, 3)])
print("xoshiro256** seed 42, first  = 0x%016X" % xoshiro(42, 1)[0])
