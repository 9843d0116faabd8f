using System.Runtime.InteropServices;

namespace ByzantineSim.Experiments.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM: the first cancels <see cref="Token"/>, so running runs stop at
/// their next message and the results index is written; the exit code is then the shell's
/// 128 + signal (130 or 143). A second signal, or a command still running after the grace
/// period, ends the process at once with that code.
/// </summary>
internal sealed class ProcessSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly PosixSignalRegistration[] _registrations;
    private readonly TimeSpan _grace;
    private int _exitCode;

    /// <summary>Starts handling both signals; <paramref name="grace"/> is how long a command may take to stop.</summary>
    public ProcessSignals(TimeSpan grace)
    {
        _grace = grace;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle), PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle)];
    }

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    /// <summary>128 + the first signal's number once one arrived (130 for SIGINT, 143 for SIGTERM), else null.</summary>
    public int? ExitCode => Volatile.Read(ref _exitCode) is var code and > 0 ? code : null;

    /// <summary>The exit code of a signal, by the shell's convention.</summary>
    public static int CodeOf(PosixSignal signal) => signal == PosixSignal.SIGTERM ? Program.Terminated : Program.Interrupted;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _cancel.Dispose();
    }

    private void Handle(PosixSignalContext context)
    {
        // The process decides when to end, not the runtime's default action.
        context.Cancel = true;
        int code = CodeOf(context.Signal);
        if (Interlocked.CompareExchange(ref _exitCode, code, 0) != 0)
        {
            Console.Error.WriteLine("error: second signal; stopping now (results of runs in progress are lost; completed runs are kept)");
            Environment.Exit(_exitCode);
        }

        // Nothing here may throw or need a new thread: under memory pressure neither the thread
        // pool nor a timer may be able to start one, and the signal must still stop the command.
        try
        {
            _cancel.Cancel();
            _ = Task.Delay(_grace).ContinueWith(_ =>
            {
                Console.Error.WriteLine($"error: still running {_grace.TotalSeconds:F0} s after the signal; stopping now");
                Environment.Exit(code);
            }, TaskScheduler.Default);
        }
#pragma warning disable CA1031 // Whatever a callback throws, the command below still stops and reports.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Console.Error.WriteLine($"error: while stopping: {CliErrors.Describe(ex)}");
        }
    }
}
