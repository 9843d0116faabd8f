namespace ByzantineSim.Clients.Training.Stacked;

/// <summary>Clients and samples per client of one pass.</summary>
internal readonly record struct Shape(int Clients, int Samples);
