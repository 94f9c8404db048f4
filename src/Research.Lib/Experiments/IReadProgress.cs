namespace Research.Lib.Experiments;

/// <summary>Shows the progress of reading a large file (a console bar, a notebook widget); <see cref="None"/> shows nothing.</summary>
public interface IReadProgress
{
    /// <summary>Runs <paramref name="read"/>, which reports the bytes read so far, while showing <paramref name="description"/>.</summary>
    T OverFile<T>(string description, string path, Func<IProgress<long>, T> read);

    /// <summary>No progress shown.</summary>
    static IReadProgress None { get; } = new Silent();

    private sealed class Silent : IReadProgress
    {
        public T OverFile<T>(string description, string path, Func<IProgress<long>, T> read) => read(new Progress<long>(_ => { }));
    }
}
