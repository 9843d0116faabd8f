namespace ByzantineSim.Clients.Models;

/// <summary>
/// Where a network's batch-normalisation statistics come from (<c>model.batch_norm</c>). In
/// training every mode normalises with the statistics of the batch at hand, so a client's
/// gradient is the same in all three; they differ in the running statistics (per-channel running
/// mean and variance, PyTorch's <c>momentum = 0.1</c> update) that are kept, and in what the
/// global model evaluates with. The affine weight and bias of every layer stay in the parameter
/// vector the server aggregates, in every mode.
/// </summary>
public enum BatchNormMode
{
    /// <summary>
    /// No running statistics (PyTorch's <c>track_running_stats=False</c>): training and evaluation
    /// normalise with the statistics of the batch at hand. The default.
    /// </summary>
    Batch,

    /// <summary>
    /// FedBN (Li, Jiang, Zhang, Kamp, Dou, ICLR 2021, arXiv 2102.07623): each client keeps its own
    /// running statistics from round to round and never sends them; the server has none, so the
    /// global model evaluates with the statistics of each evaluation batch, as in <see cref="Batch"/>.
    /// </summary>
    Local,

    /// <summary>
    /// The running statistics are part of the global model: each participating honest client
    /// starts the round from the server's, updates them with its batches and sends them with its
    /// update; the server's next statistics are their mean over the honest updates it accepted
    /// (in client id order), and the global model evaluates with them (PyTorch's <c>eval()</c>).
    /// </summary>
    Aggregated,
}

/// <summary>The YAML words of <see cref="BatchNormMode"/>.</summary>
public static class BatchNormModes
{
    /// <summary>The option's name on models with batch normalisation.</summary>
    public const string OptionName = "batch_norm";

    /// <summary>The words, in enum order.</summary>
    public static readonly string[] Words = ["batch", "local", "aggregated"];

    /// <summary>The YAML word of <paramref name="mode"/>.</summary>
    public static string Word(BatchNormMode mode) => Words[(int)mode];

    /// <summary>The mode a (validated) word names.</summary>
    public static BatchNormMode Parse(string word) => (BatchNormMode)Array.IndexOf(Words, word);
}
