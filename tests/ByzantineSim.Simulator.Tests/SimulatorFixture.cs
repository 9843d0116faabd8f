namespace ByzantineSim.Simulator.Tests;

/// <summary>
/// A simulator with two trainers, started before the tests that use it and disposed after them:
/// a class fixture shared by a test class, or the base of a test class that starts its own per test.
/// </summary>
/// <param name="name">The actor system's name, which tells the tests' logs apart.</param>
public abstract class SimulatorFixture(string name) : IAsyncLifetime
{
    /// <summary>The simulator, ready once <see cref="InitializeAsync"/> has run.</summary>
    public SimulatorSystem Simulator { get; private set; } = null!;

    /// <summary>Starts the simulator.</summary>
    public Task InitializeAsync()
    {
        Simulator = SimulatorSystem.Create(trainers: 2, name: name);
        return Task.CompletedTask;
    }

    /// <summary>Stops the simulator and its actor system.</summary>
    public async Task DisposeAsync() => await Simulator.DisposeAsync();
}
