namespace ByzantineSim.Simulator.Trainers;

/// <summary>
/// Whether the trainer pool has started: every trainer ready, or the reason one could not
/// start. A run waits for it before it begins, so a pool that cannot be created fails the run
/// with that reason instead of leaving it waiting for trainers that will never come.
/// </summary>
public sealed class TrainerPoolStartup
{
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when every trainer is ready; faults with a <see cref="TrainerPoolException"/> when one cannot start.</summary>
    public Task Started => _started.Task;

    /// <summary>Every trainer is ready.</summary>
    public void Ready() => _started.TrySetResult();

    /// <summary>A trainer cannot start; the first reason is kept.</summary>
    public void Fail(TrainerPoolException error) => _started.TrySetException(error);
}

/// <summary>The trainer pool could not be created, so no run can execute.</summary>
public sealed class TrainerPoolException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TrainerPoolException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
