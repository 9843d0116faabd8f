using System.Collections.Immutable;
using System.Globalization;
using ByzantineSim.Simulator.Setup;

namespace ByzantineSim.Experiments.Specs;

/// <summary>One part of a run's memory: what it is, the setting that drives it, its size and how it was computed.</summary>
/// <param name="Name">What the memory holds, e.g. <c>round matrices</c>.</param>
/// <param name="Path">The YAML path of the setting to lower, e.g. <c>clients.n</c>.</param>
/// <param name="Bytes">Its size.</param>
/// <param name="Formula">How the size was computed, with the numbers.</param>
public sealed record ResourceTerm(string Name, string Path, double Bytes, string Formula);

/// <summary>
/// The memory one run needs at its peak, computed from its settings before anything is
/// allocated: the model's d parameters, the clients' state, the server's round matrices, the
/// evaluation buffers and the data, plus the process itself. Sizes are doubles, so absurd specs
/// (1e10 parameters, 1e6 clients) give large numbers, never an overflow. The formula and its
/// calibration against measured peaks are in docs/PERFORMANCE.md.
/// </summary>
/// <param name="Parameters">The model's parameter count d.</param>
/// <param name="Terms">The parts, largest first.</param>
public sealed record ResourceEstimate(double Parameters, ImmutableArray<ResourceTerm> Terms)
{
    /// <summary>The process before any run: runtime, libtorch, actor system (measured, docs/PERFORMANCE.md).</summary>
    public const double RuntimeBytes = 250e6;

    /// <summary>A live client actor's fixed cost (actor, mailbox, state record), measured (docs/PERFORMANCE.md).</summary>
    public const double ClientBytes = 8e3;

    /// <summary>What any client costs, live or not: its sample indices and its record at the end of the run, measured (docs/PERFORMANCE.md).</summary>
    public const double IdleClientBytes = 450;

    /// <summary>Model-sized arrays a run keeps whatever n: theta, the aggregate, step scratch, the server optimizer's two, payloads in flight.</summary>
    public const int ServerVectors = 8;

    /// <summary>Model-sized arrays per trainer: the module's parameters and gradients, stacked-pass buffers.</summary>
    public const int TrainerVectors = 4;

    /// <summary>Samples a trainer evaluates in one pass (bounds the activations it holds).</summary>
    public const int EvaluationBatch = 1024;

    /// <summary>The largest number of elements one array may hold; a float vector of d, a round matrix and the data set are each one array.</summary>
    public static double MaxArrayLength => Array.MaxLength;

    /// <summary>The total, including the process itself.</summary>
    public double TotalBytes => RuntimeBytes + Terms.Sum(t => t.Bytes);

    /// <summary>The largest part.</summary>
    public ResourceTerm Dominant => Terms[0];

    /// <summary>Estimates a run of <paramref name="setup"/> on <paramref name="trainers"/> trainers; null when the data's dimensions are unknown before loading (CSV files, other IDX sets).</summary>
    public static ResourceEstimate? Of(RunSetup setup, int trainers)
    {
        if (setup.Data.Shape is not { } data)
        {
            return null;
        }

        double d = setup.Model.ParameterCount(data.SampleShape, data.Outputs);
        int n = setup.TotalClients;
        int rows = TrainingSettings.ParticipantsPerRound(setup.Training.Participation, n);
        // Worker momentum keeps two arrays per client, error feedback one residual; DGC keeps its
        // momentum and accumulation whatever the worker momentum.
        int clientVectors = setup.Compressor is Clients.Compression.DgcCompressor ? 2
            : (setup.Training.WorkerMomentum > 0 ? 2 : 0) + (setup.Compressor.ErrorFeedback ? 1 : 0);
        var estimate = Compute(d, data, LiveClients(setup, rows), n, rows, clientVectors, trainers);
        return setup.LabelDilution is { } dilution ? estimate.With(Dilution(data, dilution, n)) : estimate;
    }

    /// <summary>
    /// The honest clients that have an actor at the run's end (see <c>HonestClients</c>): a client
    /// gets one when first sampled, so with partial participation about h (1 - (1 - m / n)^T) over
    /// T rounds; a client without state lives for one round only, so then m.
    /// </summary>
    public static int LiveClients(RunSetup setup, int rows)
    {
        ArgumentNullException.ThrowIfNull(setup);
        int n = setup.TotalClients;
        int honest = setup.Identities.Changes ? n : setup.HonestClients;
        if (rows >= n)
        {
            return honest;
        }

        if (Simulator.Participants.ClientContext.SendsComputedGradientFor(setup.Training, setup.Compressor, setup.Privacy, setup.Model.BatchNorm))
        {
            return Math.Min(honest, rows);
        }

        return (int)Math.Ceiling(honest * (1 - Math.Pow(1 - ((double)rows / n), setup.Training.Rounds)));
    }

    /// <summary>
    /// The sample indices of diluted clients (<see cref="RunSetup.LabelDilution"/>): alpha more per
    /// clean sample they hold (the k diluted clients' share of the training set, all of it for
    /// <c>all</c>), kept twice: the client's list and its epoch's shuffled copy.
    /// </summary>
    public static ResourceTerm Dilution(DataShape data, Clients.Partitioning.LabelDilution dilution, int clients)
    {
        ArgumentNullException.ThrowIfNull(dilution);
        double share = dilution.Clients is { } k ? Math.Min(1.0, (double)k / Math.Max(1, clients)) : 1.0;
        double copies = share * data.TrainSize * dilution.Alpha;
        return new("diluted sample indices", "label_dilution.alpha", 2 * copies * 4,
            $"2 arrays x {N(share * data.TrainSize)} clean samples x alpha {dilution.Alpha} x 4 B");
    }

    /// <summary>This estimate with <paramref name="term"/> added, the parts kept largest first.</summary>
    public ResourceEstimate With(ResourceTerm term) => this with { Terms = [.. Terms.Append(term).OrderByDescending(t => t.Bytes)] };

    /// <summary>The estimate from its inputs (<see cref="Of"/> reads them from a run).</summary>
    /// <param name="d">Model parameters.</param>
    /// <param name="data">The data's dimensions.</param>
    /// <param name="honest">Honest clients with an actor at the peak (the ones that keep model-sized state, see <see cref="LiveClients"/>).</param>
    /// <param name="clients">All clients n.</param>
    /// <param name="rows">Participants per round (rows of the round matrix).</param>
    /// <param name="clientVectors">Model-sized arrays each honest client keeps.</param>
    /// <param name="trainers">Trainer threads.</param>
    public static ResourceEstimate Compute(double d, DataShape data, int honest, int clients, int rows, int clientVectors, int trainers)
    {
        const double Float = 4;
        double features = data.SampleShape.Aggregate(1.0, (a, b) => a * b);
        int vectors = ServerVectors + (TrainerVectors * trainers);
        var terms = new List<ResourceTerm>
        {
            new("model parameters", "model", vectors * d * Float,
                $"{vectors} model-sized arrays ({ServerVectors} + {TrainerVectors} per trainer x {trainers}) x {N(d)} parameters x 4 B"),
            new("client state", "clients.n", (honest * ((clientVectors * d * Float) + ClientBytes)) + (clients * IdleClientBytes),
                $"{N(honest)} live honest clients x ({clientVectors} arrays x {N(d)} parameters x 4 B + {N(ClientBytes)} B) + {N(clients)} clients x {N(IdleClientBytes)} B"),
            new("round matrices", "clients.n", ((3.0 * rows * d * Float) + (8.0 * rows * rows)),
                $"3 matrices (two rounds and the aggregation's copy) x {N(rows)} rows x {N(d)} parameters x 4 B + {N(rows)}^2 distances x 8 B"),
            new("evaluation buffers", "data.test_size", trainers * Math.Min(EvaluationBatch, data.TestSize) * 2 * (features + data.Outputs) * Float,
                $"{trainers} trainers x {Math.Min(EvaluationBatch, data.TestSize)} samples x 2 x ({N(features)} features + {data.Outputs} outputs) x 4 B"),
            new("data", "data.train_size", (data.TrainSize + (double)data.TestSize) * ((features * data.BytesPerFeature) + (2 * Float)),
                $"({N(data.TrainSize)} + {N(data.TestSize)} samples) x ({N(features)} features x {data.BytesPerFeature} B + label and index x 4 B)"),
        };
        return new ResourceEstimate(d, [.. terms.OrderByDescending(t => t.Bytes)]);
    }

    /// <summary>Sizes that cannot exist whatever the memory: more elements than one array holds. Each names its setting.</summary>
    public static IEnumerable<ResourceTerm> Impossible(double d, DataShape data, int rows)
    {
        double features = data.SampleShape.Aggregate(1.0, (a, b) => a * b);
        if (d > MaxArrayLength)
        {
            yield return new("model parameters", "model", d, $"the model has {N(d)} parameters, more than the {N(MaxArrayLength)} one float array can hold");
        }
        else if (rows * d > MaxArrayLength)
        {
            yield return new("round matrix", "clients.n", rows * d, $"a round's matrix of {N(rows)} rows x {N(d)} parameters has {N(rows * d)} values, more than the {N(MaxArrayLength)} one float array can hold");
        }

        if (data.TrainSize * features > MaxArrayLength)
        {
            yield return new("data", "data.train_size", data.TrainSize * features,
                $"{N(data.TrainSize)} training samples x {N(features)} features are {N(data.TrainSize * features)} values, more than the {N(MaxArrayLength)} one float array can hold");
        }
    }

    /// <summary>A byte count for people: <c>1.2 GB</c>, <c>80 GB</c>.</summary>
    public static string Bytes(double bytes) => bytes switch
    {
        >= 1e12 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e12:0.#} TB"),
        >= 1e9 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:0.#} GB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0} MB"),
    };

    /// <summary>A count for people: 1,234,567 below a billion, 1.2e10 above.</summary>
    public static string N(double value) =>
        value < 1e9 ? value.ToString("#,0", CultureInfo.InvariantCulture) : value.ToString("0.##e0", CultureInfo.InvariantCulture);
}
