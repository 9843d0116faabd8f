namespace ByzantineSim.Simulator.Server;

/// <summary>Starts the run (sent once by <see cref="SimulatorSystem.RunAsync"/>).</summary>
public sealed record BeginRun;

/// <summary>The run is over.</summary>
/// <param name="Result">What it measured.</param>
public sealed record RunFinished(RunResult Result);
