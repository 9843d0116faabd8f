using System.Collections.Immutable;
using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Aggregators.Robustness;

/// <summary>Budget and seed of an empirical robustness search.</summary>
/// <param name="Dimension">Dimension of the synthetic inputs. <value>5.</value></param>
/// <param name="Restarts">Independent honest sets and starting attacks. <value>32.</value></param>
/// <param name="Steps">Local-search proposals per restart. <value>400.</value></param>
/// <param name="Seed">Root seed; every restart derives its own stream. <value>2023.</value></param>
public sealed record RobustnessSearchOptions(int Dimension = 5, int Restarts = 32, int Steps = 400, ulong Seed = 2023)
{
    /// <summary>Ratios beyond this are reported as unbounded (the search stops climbing).</summary>
    public const double Unbounded = 1e6;
}

/// <summary>The outcome of a search for one rule and population.</summary>
/// <param name="Rule">The pipeline spec.</param>
/// <param name="N">Inputs.</param>
/// <param name="F">Byzantine inputs.</param>
/// <param name="EmpiricalKappa">The largest ratio found (a lower estimate of the rule's true kappa), or null when the rule refuses n.</param>
/// <param name="ProvenBound">The coefficient proven in the literature, if any.</param>
/// <param name="LowerBound">f / (n - 2f), which no rule can beat.</param>
/// <param name="Evaluations">Calls of the rule.</param>
public sealed record RobustnessResult(string Rule, int N, int F, double? EmpiricalKappa, double? ProvenBound, double LowerBound, int Evaluations);

/// <summary>
/// Adversarial search for the empirical robustness coefficient of a rule: for random honest sets
/// S (Gaussian, some with a far cluster to mimic heterogeneity) it places f Byzantine inputs to
/// maximise ||F(x) - mean_S||^2 / ((1/|S|) sum_{i in S} ||x_i - mean_S||^2). Each restart starts
/// from a classic attack (shifted mean, copies of the farthest honest input, a little is enough,
/// noise) and climbs by random moves of all Byzantine inputs together or of one of them, with a
/// step that grows on success and shrinks on failure. Seeded and sequential within a restart, so
/// the result is a pure function of the options.
/// </summary>
public static class RobustnessSearch
{
    /// <summary>Searches every (rule, n, f) combination, in parallel across combinations.</summary>
    public static ImmutableArray<RobustnessResult> Run(IReadOnlyList<string> rules, IReadOnlyList<(int N, int F)> populations, RobustnessSearchOptions options)
    {
        var jobs = rules.SelectMany(rule => populations.Select(p => (Rule: rule, p.N, p.F))).ToArray();
        var results = new RobustnessResult[jobs.Length];
        Parallel.For(0, jobs.Length, j => results[j] = Run(jobs[j].Rule, jobs[j].N, jobs[j].F, options));
        return [.. results];
    }

    /// <summary>Searches one rule (a pipeline spec such as <c>nnm&gt;krum</c>) at one population.</summary>
    public static RobustnessResult Run(string rule, int n, int f, RobustnessSearchOptions options)
    {
        var pipeline = BuiltInAggregators.CreatePipeline(rule, f);
        double lower = 2 * f < n ? ProvenBounds.LowerBound(n, f) : double.NaN;
        double? proven = ProvenBounds.Kappa(rule, n, f);
        if (2 * f >= n || !pipeline.Accepts(n))
        {
            return new RobustnessResult(rule, n, f, null, proven, lower, 0);
        }

        int d = options.Dimension;
        int honest = n - f;
        var data = new float[n * d];
        var output = new float[d];
        var mean = new double[d];
        var candidate = new float[f * d];
        double best = 0;
        int evaluations = 0;
        for (int restart = 0; restart < options.Restarts && best < RobustnessSearchOptions.Unbounded; restart++)
        {
            var random = new DeterministicRandom(Seed.Derive(options.Seed, rule, n, f, restart));
            double variance = DrawHonest(random, data, honest, d, restart % 3 == 2, mean);
            double scale = Math.Sqrt(variance);
            StartAttack(random, data, honest, n, d, mean, scale, restart % 4);
            var context = new AggregationContext(0, Seed.Derive(options.Seed, "bucketing", restart), null);

            double Evaluate()
            {
                evaluations++;
                pipeline.Aggregate(new RowMatrix(data, n, d), output, context);
                double error = 0;
                for (int k = 0; k < d; k++)
                {
                    error += (output[k] - mean[k]) * (output[k] - mean[k]);
                }

                return double.IsFinite(error) ? error / variance : double.PositiveInfinity;
            }

            double current = Evaluate();
            double step = scale;
            for (int s = 0; s < options.Steps && f > 0 && current < RobustnessSearchOptions.Unbounded; s++)
            {
                Array.Copy(data, honest * d, candidate, 0, f * d);
                bool together = random.Next(2) == 0;
                int single = random.Next(f);
                var shift = new double[d];
                for (int k = 0; k < d; k++)
                {
                    shift[k] = step * random.NextGaussian() / Math.Sqrt(d);
                }

                for (int b = 0; b < f; b++)
                {
                    if (together || b == single)
                    {
                        for (int k = 0; k < d; k++)
                        {
                            data[((honest + b) * d) + k] += (float)(together ? shift[k] : step * random.NextGaussian() / Math.Sqrt(d));
                        }
                    }
                }

                double proposal = Evaluate();
                if (proposal > current)
                {
                    current = proposal;
                    step *= 1.5;
                }
                else
                {
                    Array.Copy(candidate, 0, data, honest * d, f * d);
                    step = Math.Max(step * 0.7, 1e-3 * scale);
                }
            }

            best = Math.Max(best, current);
        }

        return new RobustnessResult(rule, n, f, Math.Min(best, RobustnessSearchOptions.Unbounded), proven, lower, evaluations);
    }

    /// <summary>Fills the honest rows; returns their variance (1/|S|) sum ||x_i - mean||^2 and writes their mean.</summary>
    private static double DrawHonest(DeterministicRandom random, float[] data, int honest, int d, bool clustered, double[] mean)
    {
        // A random centre, and for heterogeneity a quarter of the honest inputs in a far cluster.
        var centre = Enumerable.Range(0, d).Select(_ => 3 * random.NextGaussian()).ToArray();
        Array.Clear(mean);
        for (int i = 0; i < honest; i++)
        {
            double offset = clustered && i < Math.Max(1, honest / 4) ? 5 : 0;
            for (int k = 0; k < d; k++)
            {
                float value = (float)(centre[k] + offset + random.NextGaussian());
                data[(i * d) + k] = value;
                mean[k] += value / (double)honest;
            }
        }

        double variance = 0;
        for (int i = 0; i < honest; i++)
        {
            for (int k = 0; k < d; k++)
            {
                variance += (data[(i * d) + k] - mean[k]) * (data[(i * d) + k] - mean[k]) / honest;
            }
        }

        return variance;
    }

    /// <summary>Places the Byzantine rows by one of four classic attacks.</summary>
    private static void StartAttack(DeterministicRandom random, float[] data, int honest, int n, int d, double[] mean, double scale, int kind)
    {
        int farthest = 0;
        double farthestDistance = -1;
        var std = new double[d];
        for (int i = 0; i < honest; i++)
        {
            double distance = 0;
            for (int k = 0; k < d; k++)
            {
                double diff = data[(i * d) + k] - mean[k];
                distance += diff * diff;
                std[k] += diff * diff / Math.Max(1, honest - 1);
            }

            if (distance > farthestDistance)
            {
                farthestDistance = distance;
                farthest = i;
            }
        }

        var direction = Enumerable.Range(0, d).Select(_ => random.NextGaussian()).ToArray();
        double length = Math.Sqrt(direction.Sum(v => v * v));
        double multiple = 0.5 + (2 * random.NextDouble());
        for (int b = honest; b < n; b++)
        {
            for (int k = 0; k < d; k++)
            {
                data[(b * d) + k] = kind switch
                {
                    0 => (float)(mean[k] + (multiple * scale * direction[k] / length)),
                    1 => data[(farthest * d) + k],
                    2 => (float)(mean[k] - (1.5 * Math.Sqrt(std[k]))),
                    _ => (float)(mean[k] + (scale * random.NextGaussian() / Math.Sqrt(d))),
                };
            }
        }
    }
}
