namespace ByzantineSim.Attacks.Optimal;

/// <summary>Options of the optimal attacks' line search (ByzFL's LineMaximize).</summary>
/// <param name="Evaluations">Pipeline evaluations per round. <value>20</value></param>
/// <param name="Start">First factor tried. <value>0</value></param>
/// <param name="Step">First step. <value>10</value></param>
/// <param name="Ratio">Step contraction after a failure, in (0.5, 1). <value>0.8</value></param>
public sealed record LineSearchOptions(int Evaluations, double Start, double Step, double Ratio)
{
    /// <summary>The <c>evals</c> option.</summary>
    public static readonly Parameter<int> EvaluationsParameter = new(
        "evals", 20, "evaluations of the server's pipeline per round", value => value >= 1 ? null : "must be >= 1");

    /// <summary>The <c>start</c> option.</summary>
    public static readonly Parameter<double> StartParameter = new(
        "start", 0.0, "first factor tried", Checks.NonNegativeFinite);

    /// <summary>The <c>step</c> option.</summary>
    public static readonly Parameter<double> StepParameter = new(
        "step", 10.0, "first step; doubled after each improvement while expanding", Checks.PositiveFinite);

    /// <summary>The <c>ratio</c> option.</summary>
    public static readonly Parameter<double> RatioParameter = new(
        "ratio", 0.8, "step contraction after a failure", value => value is > 0.5 and < 1 ? null : "must be in (0.5, 1)");

    /// <summary>
    /// The defaults of ByzFL's optimal attacks (LPD-EPFL/byzfl, byzfl/attacks/attacks.py,
    /// Optimal_InnerProductManipulation and Optimal_ALittleIsEnough: evals 20, start 0, delta 10,
    /// ratio 0.8); sources in docs/ALGORITHMS.md, section 4.
    /// </summary>
    public static LineSearchOptions Default { get; } = new(20, 0.0, 10.0, 0.8);

    /// <summary>Reads each parameter from <paramref name="binder"/>, falling back to its default; the binder records missing, mistyped and out-of-range values.</summary>
    public static LineSearchOptions Bind(OptionsBinder binder) =>
        new(binder.Get(EvaluationsParameter), binder.Get(StartParameter), binder.Get(StepParameter), binder.Get(RatioParameter));
}
