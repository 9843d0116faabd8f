using ByzantineSim.Core.Numerics;

namespace ByzantineSim.Core.Tests;

/// <summary>
/// The round arena: a round's memory stays put while anyone holds its lease, goes back to the
/// run's pool when the last holder lets go, and every view of it throws from then on.
/// </summary>
public class RoundArenaTests
{
    [Fact]
    public void Lease_HeldByTheCoalition_IsNotReusedWhenTheServerLetsGo_AndReadsThrowOnceTheCoalitionLetsGo()
    {
        var arena = new RoundArena();
        var lease = arena.Open(0, Holder.Server);
        var matrix = lease.AllocateMatrix(6);
        matrix.Span.Fill(3);
        var payload = lease.Rent(2);
        lease.Hold(Holder.Coalition);

        Assert.False(arena.Let(0, Holder.Server));
        var later = arena.Open(1, Holder.Server);
        Assert.NotSame(lease.MatrixArray, System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(later.AllocateMatrix(6), out var segment) ? segment.Array : null);
        Assert.Equal(3f, matrix.Span[5]); // still readable: the coalition holds it
        Assert.Equal(2, payload.Span.Length);

        Assert.True(arena.Let(0, Holder.Coalition));
        Assert.True(lease.IsReleased);
        Assert.Null(arena.Find(0));
        Assert.Throws<ObjectDisposedException>(() => matrix.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => matrix[2..].Span.Length); // slices too
        Assert.Throws<ObjectDisposedException>(() => payload.Span.Length);
        Assert.Throws<ObjectDisposedException>(() => lease.Rent(2));
        Assert.Throws<ObjectDisposedException>(() => lease.Hold(Holder.Client(1)));
    }

    [Fact]
    public void GivenBackMatrixAndPayloads_AreRentedAgainByALaterRound()
    {
        var arena = new RoundArena();
        var first = arena.Open(0, Holder.Server);
        var matrix = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(first.AllocateMatrix(8), out var segment) ? segment.Array : null;
        arena.Let(0, Holder.Server);

        var second = arena.Open(1, Holder.Server);
        Assert.Same(matrix, System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(second.AllocateMatrix(8), out var again) ? again.Array : null);
        Assert.Equal(1, arena.OpenLeases);
    }

    [Fact]
    public void RowPayloadOverALeasedMatrix_ThrowsAfterTheLeaseIsGivenBack()
    {
        var arena = new RoundArena();
        var lease = arena.Open(3, Holder.Server);
        var row = VectorPayload.Over(lease.AllocateMatrix(4)[2..]);
        Assert.Equal(2, row.Span.Length);

        arena.Let(3, Holder.Server);

        Assert.True(row.IsReleased);
        Assert.Throws<ObjectDisposedException>(() => row.Span.Length);
        Assert.Equal(2, row.Length); // its length is still known
    }

    [Fact]
    public void Let_ByAHolderThatDoesNotHoldIt_OrTwice_ChangesNothing()
    {
        var arena = new RoundArena();
        var lease = arena.Open(0, Holder.Server);
        lease.Hold(Holder.Client(4));
        lease.Hold(Holder.Client(4)); // one hold

        Assert.False(arena.Let(0, Holder.Client(7)));
        Assert.False(arena.Let(0, Holder.Client(4)));
        Assert.False(arena.Let(0, Holder.Client(4)));
        Assert.False(arena.Let(5, Holder.Server)); // no such round
        Assert.Equal([Holder.Server], lease.Holders);
        Assert.True(arena.Let(0, Holder.Server));
    }

    [Fact]
    public void Open_TheSameRoundTwice_Throws() =>
        Assert.Throws<InvalidOperationException>(() =>
        {
            var arena = new RoundArena();
            arena.Open(2, Holder.Server);
            arena.Open(2, Holder.Server);
        });

    [Fact]
    public void ArenasOfTwoRuns_DoNotShareArrays()
    {
        var one = new RoundArena();
        var other = new RoundArena();
        var lease = one.Open(0, Holder.Server);
        var array = System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(lease.AllocateMatrix(16), out var segment) ? segment.Array : null;
        one.Let(0, Holder.Server);

        var foreign = other.Open(0, Holder.Server).AllocateMatrix(16);
        Assert.NotSame(array, System.Runtime.InteropServices.MemoryMarshal.TryGetArray<float>(foreign, out var s2) ? s2.Array : null);
        Assert.Equal(64, one.Pool.HeldBytes);
        Assert.Equal(0, other.Pool.HeldBytes);
    }

    [Fact]
    public void ParametersLease_IsSeparateFromTheRoundsLease_AndLetGoesOfBoth()
    {
        var arena = new RoundArena();
        var round = arena.Open(2, Holder.Server);
        var theta = arena.OpenParameters(2, Holder.Server);
        round.Hold(Holder.Client(1));
        theta.Hold(Holder.Client(1));
        theta.Hold(Holder.Evaluation(9));

        arena.Let(2, Holder.Server);
        Assert.True(arena.Let(2, Holder.Client(1))); // frees the round's lease
        Assert.True(round.IsReleased);
        Assert.False(theta.IsReleased); // the evaluation still reads theta
        Assert.Same(theta, arena.FindParameters(2));
        Assert.True(arena.Let(2, Holder.Evaluation(9)));
        Assert.Equal(0, arena.OpenLeases);
    }

    [Fact]
    public void CapacityFor_IsTwoMatricesOfTheRoundPlus16Vectors_AtLeastTheDefault()
    {
        // 1,000 rows of a 101,770-parameter MLP: (2 x 1,000 + 16) x 101,770 x 4 B = 820.7 MB,
        // where the default 256 MB would drop every round's 407 MB matrix.
        Assert.Equal(2016L * 101_770 * 4, RoundArena.CapacityFor(1000, 101_770));
        Assert.Equal(RoundArena.DefaultCapacityBytes, RoundArena.CapacityFor(25, 1_000));
    }
}
