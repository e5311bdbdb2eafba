namespace AgentKit.Prompts;

/// <summary>Settings of a <see cref="PromptRegistry"/>.</summary>
public sealed class PromptRegistryOptions
{
    private long _maxFileBytes = PromptTemplate.DefaultMaxFileBytes;
    private TimeSpan _reloadDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// The folder holding the <c>.prompty</c> files, searched recursively. <see langword="null"/> (the default)
    /// means <see cref="PromptRegistry.FindDefaultDirectory"/>.
    /// </summary>
    public string? RootDirectory { get; set; }

    /// <summary>Whether edits, new files and deletions are picked up while running. Default <see langword="true"/>.</summary>
    public bool WatchForChanges { get; set; } = true;

    /// <summary>The largest prompt file read, in bytes. Default 256 KiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public long MaxFileBytes
    {
        get => _maxFileBytes;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxFileBytes = value;
        }
    }

    /// <summary>
    /// How long the registry waits after the last file change before reloading, so an editor's several writes
    /// become one reload. Default 200 ms.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or over a minute.</exception>
    public TimeSpan ReloadDelay
    {
        get => _reloadDelay;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, TimeSpan.FromMinutes(1));
            _reloadDelay = value;
        }
    }
}
