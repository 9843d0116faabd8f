namespace ByzantineSim.Experiments.Specs;

/// <summary>Small grammar for messages: "an attack", not "a attack"; "1 run", not "1 runs".</summary>
public static class English
{
    /// <summary><paramref name="noun"/> with its indefinite article: <c>an attack</c>, <c>a model</c>.</summary>
    public static string A(string noun) => noun.Length > 0 && "aeiouAEIOU".Contains(noun[0], StringComparison.Ordinal) ? $"an {noun}" : $"a {noun}";

    /// <summary><paramref name="count"/> and the noun, plural unless the count is one: <c>1 run</c>, <c>4 runs</c>.</summary>
    public static string Count(int count, string noun) => count == 1 ? $"1 {noun}" : $"{count} {noun}s";
}
