using ByzantineSim.Clients.Data;
using ByzantineSim.Clients.Models;
using static TorchSharp.torch;

namespace ByzantineSim.Clients.Training;

/// <summary>
/// Batch normalisation's running statistics (<see cref="BatchNormMode"/>): every layer's running
/// mean then running variance, layers in module order, as one flat vector that crosses actor
/// boundaries like the parameters (a layer's batch counter is not kept: with PyTorch's fixed
/// momentum 0.1 nothing reads it).
/// </summary>
public sealed partial class ModelRunner
{
    private readonly ImmutableArray<(string Name, Tensor Buffer)> _statistics;

    /// <summary>Number of running-statistic values (0 for a model without them, including <see cref="BatchNormMode.Batch"/>).</summary>
    public int StatisticsCount { get; }

    /// <summary>
    /// The statistics a fresh layer starts with, PyTorch's <c>reset_running_stats</c>: mean 0 and
    /// variance 1 in every channel (empty without running statistics).
    /// </summary>
    public ImmutableArray<float> InitialStatistics()
    {
        var values = ImmutableArray.CreateBuilder<float>(StatisticsCount);
        foreach (var (name, buffer) in _statistics)
        {
            float value = name.EndsWith("running_var", StringComparison.Ordinal) ? 1f : 0f;
            values.AddRange(Enumerable.Repeat(value, checked((int)buffer.numel())));
        }

        return values.MoveToImmutable();
    }

    /// <summary>
    /// <see cref="Run(ReadOnlySpan{float}, Dataset, LocalWork, Span{float}, object?)"/> starting
    /// from the running <paramref name="statistics"/>, which then hold what the work's batches
    /// made of them (each training forward pass moves them by 0.1 towards its batch's statistics).
    /// The update is the same whatever the statistics: training normalises with batch statistics.
    /// </summary>
    public double RunWithStatistics(ReadOnlySpan<float> parameters, Dataset data, LocalWork work, Span<float> update, Span<float> statistics)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (statistics.Length != StatisticsCount)
        {
            throw new ArgumentException($"expected {StatisticsCount} running statistics, got {statistics.Length}", nameof(statistics));
        }

        LoadStatistics(statistics);
        double loss = Run(parameters, data, work, update);
        ReadStatistics(statistics);
        return loss;
    }

    /// <summary>The module's running-statistic buffers, in module order.</summary>
    private static ImmutableArray<(string Name, Tensor Buffer)> RunningStatistics(nn.Module module) =>
        [.. module.named_buffers().Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal))];

    /// <summary>
    /// Puts the module in its evaluation mode: with <see cref="BatchNormMode.Aggregated"/>
    /// statistics, PyTorch's <c>eval()</c> over <paramref name="statistics"/> (required);
    /// with <see cref="BatchNormMode.Local"/> ones the global model has none, so its layers
    /// normalise with each evaluation batch's statistics (<c>train()</c> under no_grad, which
    /// moves the buffers only, and they are loaded again before any use); otherwise <c>eval()</c>.
    /// </summary>
    private void PrepareEvaluation(ReadOnlySpan<float> statistics)
    {
        switch (_model.BatchNorm)
        {
            case BatchNormMode.Aggregated:
                if (statistics.Length != StatisticsCount)
                {
                    throw new ArgumentException($"{_model.Description} evaluates with the server's {StatisticsCount} running statistics, got {statistics.Length}", nameof(statistics));
                }

                LoadStatistics(statistics);
                _module.eval();
                break;
            case BatchNormMode.Local:
                _module.train();
                break;
            default:
                _module.eval();
                break;
        }
    }

    private void LoadStatistics(ReadOnlySpan<float> statistics)
    {
        using var noGrad = no_grad();
        int offset = 0;
        foreach (var (_, buffer) in _statistics)
        {
            using var host = empty(buffer.shape, ScalarType.Float32);
            var staged = TensorMemory.Floats(host);
            statistics.Slice(offset, staged.Length).CopyTo(staged);
            buffer.copy_(host);
            offset += staged.Length;
        }
    }

    private void ReadStatistics(Span<float> statistics)
    {
        int offset = 0;
        foreach (var (_, buffer) in _statistics)
        {
            using var host = buffer.cpu();
            var values = TensorMemory.Floats(host.contiguous());
            values.CopyTo(statistics.Slice(offset, values.Length));
            offset += values.Length;
        }
    }
}
