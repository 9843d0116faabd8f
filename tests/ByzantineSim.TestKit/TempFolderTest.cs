namespace ByzantineSim.TestKit;

/// <summary>
/// Base of a test class that works in a fresh temporary folder, one per test (xunit creates a
/// class instance per test), deleted with everything in it when the test ends.
/// </summary>
/// <param name="prefix">The start of the folder's name, naming the test class in /tmp.</param>
public abstract class TempFolderTest(string prefix) : IDisposable
{
    /// <summary>The test's own folder.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>Deletes <see cref="Folder"/>.</summary>
    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
