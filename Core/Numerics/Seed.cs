using System.Text;

namespace ByzantineSim.Core.Numerics;

/// <summary>
/// Stable seed derivation. Every random stream of a run is derived from the run's root seed
/// and a purpose (a name plus ids), so that changing one component (say the attack) never
/// shifts another's stream (say the data split), and results do not depend on thread timing.
/// Hashing is FNV-1a over UTF-8 followed by the SplitMix64 finaliser: fixed forever, unlike
/// <see cref="string.GetHashCode()"/>.
/// </summary>
public static class Seed
{
    /// <summary>The SplitMix64 finaliser: a bijective 64-bit mixer.</summary>
    public static ulong Mix(ulong value)
    {
        value += 0x9E3779B97F4A7C15UL;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9UL;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EBUL;
        return value ^ (value >> 31);
    }

    /// <summary>Derives a child seed from a parent seed and a purpose name.</summary>
    public static ulong Derive(ulong parent, string purpose)
    {
        ulong hash = 0xCBF29CE484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(purpose))
        {
            hash = (hash ^ b) * 0x100000001B3UL;
        }

        return Mix(parent ^ Mix(hash));
    }

    /// <summary>Derives a child seed from a parent, a purpose and numeric ids (client, round, ...).</summary>
    public static ulong Derive(ulong parent, string purpose, params ReadOnlySpan<long> ids)
    {
        ulong seed = Derive(parent, purpose);
        foreach (long id in ids)
        {
            seed = Mix(seed ^ Mix((ulong)id));
        }

        return seed;
    }
}
