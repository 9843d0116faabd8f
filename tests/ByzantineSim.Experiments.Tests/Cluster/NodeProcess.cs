using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ByzantineSim.Experiments.Tests.Cluster;

/// <summary>
/// A <c>byzsim cluster</c> node running as a child process, its output collected as it comes so
/// that a test can wait for a line before acting (killing it, starting the next node).
/// </summary>
public sealed class NodeProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _errorClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data, _outputClosed);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data, _errorClosed);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Name used in assertion messages.</summary>
    public string Name { get; }

    /// <summary>Standard output so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Standard error so far.</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <summary>Everything the node printed, for failure messages.</summary>
    public string Transcript => $"--- {Name} stdout:\n{Output}\n--- {Name} stderr:\n{Error}";

    /// <summary>Starts <c>byzsim args</c> in <paramref name="folder"/>.</summary>
    public static NodeProcess Start(string name, string folder, params string[] args) => new(name, CliProcess.Start(folder, args));

    /// <summary>A TCP port free on the loopback interface right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until standard output contains <paramref name="text"/> <paramref name="times"/> times.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout, int times = 1)
    {
        var clock = Stopwatch.StartNew();
        while (Count(Output, text) < times)
        {
            if (_process.HasExited)
            {
                await _outputClosed.Task.WaitAsync(TimeSpan.FromSeconds(10));
                if (Count(Output, text) >= times)
                {
                    return;
                }

                Assert.Fail($"{Name} exited ({_process.ExitCode}) before printing '{text}' x{times}\n{Transcript}");
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{Name} did not print '{text}' x{times} within {timeout}\n{Transcript}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Waits for the process to exit and for all its output; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{Name} did not exit within {timeout}\n{Transcript}");
        }

        await Task.WhenAll(_outputClosed.Task, _errorClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no chance to leave the cluster or flush anything.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Occurrences of <paramref name="text"/> in <paramref name="output"/>.</summary>
    public static int Count(string output, string text)
    {
        int count = 0;
        for (int at = output.IndexOf(text, StringComparison.Ordinal); at >= 0; at = output.IndexOf(text, at + text.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line, TaskCompletionSource closed)
    {
        if (line is null)
        {
            closed.TrySetResult();
            return;
        }

        lock (buffer)
        {
            buffer.Append(line).Append('\n');
        }
    }
}
