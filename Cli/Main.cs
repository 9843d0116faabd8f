namespace ByzantineSim.Cli;

/// <summary>The entry point of the <c>byzsim</c> executable and .NET tool.</summary>
public static class EntryPoint
{
    /// <summary>Runs the command line (<see cref="Experiments.Cli.Program.Main"/>); returns the exit code.</summary>
    public static Task<int> Main(string[] args) => Experiments.Cli.Program.Main(args);
}
