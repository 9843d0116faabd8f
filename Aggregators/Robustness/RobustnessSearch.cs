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
/// Adversarial search for the empirical robustness coefficient of a rule: it moves all n inputs,
/// the n - f honest ones (the set S) and the f Byzantine ones, to maximise
/// ||F(x) - mean_S||^2 / ((1/|S|) sum_{i in S} ||x_i - mean_S||^2). A quarter of the restarts start
/// from the lower-bound construction (<see cref="ExtremalInputs.LowerBound"/>), the others from a
/// Gaussian honest set with a classic attack. Each restart climbs by random moves (all Byzantine
/// inputs together, one Byzantine input, one honest input, a group of nearby inputs, or one input
/// copied onto another) with a step that grows on success and shrinks on failure. After a move of
/// honest inputs the whole configuration is rescaled about mean_S so the honest variance stays at
/// its start: rules with absolute constants (a smoothing nu, a clipping radius, a zero start) are
/// not scale-invariant, and the ratio measures them at that scale. Seeded and sequential within
/// a restart, so the result is a pure function of the options.
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
        var saved = new float[n * d];
        var mean = new double[d];
        double best = 0;
        int evaluations = 0;
        for (int restart = 0; restart < options.Restarts && best < RobustnessSearchOptions.Unbounded; restart++)
        {
            var random = new DeterministicRandom(Seed.Derive(options.Seed, rule, n, f, restart));
            Start(random, data, n, f, d, restart, mean);
            double target = HonestMoments(data, honest, d, mean);
            double scale = Math.Sqrt(target);
            var context = new AggregationContext(0, Seed.Derive(options.Seed, "bucketing", restart), null);

            double Evaluate()
            {
                evaluations++;
                return Ratio(pipeline, new RowMatrix(data, n, d), honest, context);
            }

            double current = Evaluate();
            double step = scale;
            for (int s = 0; s < options.Steps && f > 0 && current < RobustnessSearchOptions.Unbounded; s++)
            {
                Array.Copy(data, saved, data.Length);
                var move = Propose(random, data, n, f, d, step);
                double proposal = move.HonestMoved && !Rescale(data, n, honest, d, target, mean) ? double.NaN : Evaluate();
                // A refused input (NaN) is never kept; a refused start gives way to any answer.
                if (proposal > current || (double.IsNaN(current) && !double.IsNaN(proposal)))
                {
                    current = proposal;
                    step = move.UsesStep ? step * 1.5 : step;
                }
                else
                {
                    Array.Copy(saved, data, data.Length);
                    step = move.UsesStep ? Math.Max(step * 0.7, 1e-3 * scale) : step;
                }
            }

            best = double.IsNaN(current) ? best : Math.Max(best, current);
        }

        return new RobustnessResult(rule, n, f, Math.Min(best, RobustnessSearchOptions.Unbounded), proven, lower, evaluations);
    }

    /// <summary>
    /// The robustness ratio of one input: ||F(x) - mean_S||^2 over the honest variance, with S the
    /// first <paramref name="honest"/> rows; +Infinity for a non-finite output or for a wrong output
    /// on a zero-variance honest set, 0 for the exact mean of one, NaN when the rule refuses the
    /// input (throws <see cref="AggregationException"/>).
    /// </summary>
    public static double Ratio(AggregationPipeline pipeline, RowMatrix inputs, int honest, in AggregationContext context)
    {
        int d = inputs.Columns;
        var output = new float[d];
        var mean = new double[d];
        double variance = HonestMoments(inputs.Data, honest, d, mean);
        try
        {
            pipeline.Aggregate(inputs, output, context);
        }
        catch (AggregationException)
        {
            // The rule refuses this input (e.g. a filter that kept no input): no answer to rate.
            return double.NaN;
        }

        double error = 0;
        for (int k = 0; k < d; k++)
        {
            error += (output[k] - mean[k]) * (output[k] - mean[k]);
        }

        return !double.IsFinite(error) ? double.PositiveInfinity
            : variance > 0 ? error / variance
            : error > 0 ? double.PositiveInfinity : 0;
    }

    /// <summary>Writes the mean of the first <paramref name="honest"/> rows and returns their variance (1/|S|) sum ||x_i - mean||^2.</summary>
    public static double HonestMoments(ReadOnlySpan<float> data, int honest, int d, double[] mean)
    {
        Array.Clear(mean);
        for (int i = 0; i < honest; i++)
        {
            for (int k = 0; k < d; k++)
            {
                mean[k] += data[(i * d) + k];
            }
        }

        for (int k = 0; k < d; k++)
        {
            mean[k] /= honest;
        }

        double variance = 0;
        for (int i = 0; i < honest; i++)
        {
            for (int k = 0; k < d; k++)
            {
                double diff = data[(i * d) + k] - mean[k];
                variance += diff * diff;
            }
        }

        return variance / honest;
    }

    /// <summary>Writes a restart's start: every fourth restart the lower-bound construction (the first at the origin), the others a Gaussian honest set and a classic attack.</summary>
    private static void Start(DeterministicRandom random, float[] data, int n, int f, int d, int restart, double[] mean)
    {
        if (restart % 4 == 0)
        {
            var centre = new double[d];
            var offset = new double[d];
            for (int k = 0; k < d; k++)
            {
                centre[k] = restart == 0 ? 0 : 3 * random.NextGaussian();
                offset[k] = random.NextGaussian();
            }

            // Honest variance 1 a coordinate, as the Gaussian sets have.
            double length = Math.Sqrt(offset.Sum(v => v * v));
            double wanted = ExtremalInputs.LowerBoundOffsetLength(n, f, d);
            ExtremalInputs.LowerBound(data, n, f, centre, offset.Select(v => v * wanted / length).ToArray());
            return;
        }

        int classic = restart - (restart / 4) - 1;
        double variance = ExtremalInputs.GaussianHonest(random, data, n - f, d, classic % 3 == 2, mean);
        ExtremalInputs.ClassicAttack(random, data, n - f, n, d, mean, Math.Sqrt(variance), classic % 4);
    }

    /// <summary>Applies one random move to <paramref name="data"/>; says whether it moved an honest row and whether its size is the step.</summary>
    private static (bool HonestMoved, bool UsesStep) Propose(DeterministicRandom random, float[] data, int n, int f, int d, double step)
    {
        int honest = n - f;
        var shift = new double[d];
        for (int k = 0; k < d; k++)
        {
            shift[k] = step * random.NextGaussian() / Math.Sqrt(d);
        }

        void Move(int row, bool own)
        {
            for (int k = 0; k < d; k++)
            {
                data[(row * d) + k] += (float)(own ? step * random.NextGaussian() / Math.Sqrt(d) : shift[k]);
            }
        }

        switch (random.Next(6))
        {
            case 0 or 1:
                // Every Byzantine input by the same shift.
                for (int b = honest; b < n; b++)
                {
                    Move(b, false);
                }

                return (false, true);
            case 2:
                Move(honest + random.Next(f), true);
                return (false, true);
            case 3:
                Move(random.Next(honest), true);
                return (true, true);
            case 4:
            {
                // A group: every input within half a step of a random one moves with it, so copies stay copies.
                int pivot = random.Next(n);
                bool honestMoved = false;
                var group = Enumerable.Range(0, n).Where(i => Distance(data, i, pivot, d) <= 0.5 * step).ToArray();
                foreach (int i in group)
                {
                    Move(i, false);
                    honestMoved |= i < honest;
                }

                return (honestMoved, true);
            }

            default:
            {
                // One input becomes a copy of another (the lower-bound construction is made of copies).
                int target = random.Next(n);
                int source = (target + 1 + random.Next(n - 1)) % n;
                Array.Copy(data, source * d, data, target * d, d);
                return (target < honest, false);
            }
        }
    }

    /// <summary>Rescales every row about the honest mean so the honest variance is <paramref name="target"/>; false when the honest rows collapsed.</summary>
    private static bool Rescale(float[] data, int n, int honest, int d, double target, double[] mean)
    {
        double variance = HonestMoments(data, honest, d, mean);
        if (!(variance > 1e-12 * target) || !double.IsFinite(variance))
        {
            return false;
        }

        double factor = Math.Sqrt(target / variance);
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < d; k++)
            {
                data[(i * d) + k] = (float)(mean[k] + (factor * (data[(i * d) + k] - mean[k])));
            }
        }

        return true;
    }

    private static double Distance(float[] data, int a, int b, int d)
    {
        double sum = 0;
        for (int k = 0; k < d; k++)
        {
            double diff = data[(a * d) + k] - data[(b * d) + k];
            sum += diff * diff;
        }

        return Math.Sqrt(sum);
    }
}
