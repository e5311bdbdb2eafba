using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.Prompts;

/// <summary>
/// Loads every <c>.prompty</c> file under a folder, keyed by its path relative to the folder without the extension
/// (<c>planning/tot-propose</c>), and keeps them current while the application runs.
/// </summary>
/// <remarks>
/// A file that fails to load does not stop the others: its error is in <see cref="LoadErrors"/> and in the log.
/// With <see cref="PromptRegistryOptions.WatchForChanges"/>, an edited file is validated and swapped in atomically;
/// a broken edit keeps the last good version and logs the error with file:line; new and deleted files are picked
/// up. Readers never see a half-loaded state.
/// </remarks>
public sealed class PromptRegistry : IPromptRegistry, IDisposable
{
    private readonly ILogger _logger;
    private readonly long _maxFileBytes;
    private readonly TimeSpan _reloadDelay;
    private readonly Lock _reloadLock = new();
    private readonly Lock _pendingLock = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer? _timer;
    private volatile State _state = State.Empty;
    private bool _disposed;

    /// <summary>Loads the folder and, unless disabled, starts watching it.</summary>
    /// <param name="options">The folder and limits.</param>
    /// <param name="logger">Where load errors and reloads are logged; none by default.</param>
    /// <exception cref="PromptException">The folder does not exist, or none was given and no default was found.</exception>
    public PromptRegistry(PromptRegistryOptions options, ILogger<PromptRegistry>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? NullLogger<PromptRegistry>.Instance;
        _maxFileBytes = options.MaxFileBytes;
        _reloadDelay = options.ReloadDelay;
        var root = options.RootDirectory ?? FindDefaultDirectory()
            ?? throw new PromptException($"No prompts folder was configured and none was found: looked for 'prompts' beside the application ({AppContext.BaseDirectory}) and in '{Directory.GetCurrentDirectory()}' and the folders above it. Set PromptRegistryOptions.RootDirectory.");
        RootDirectory = Path.GetFullPath(root);
        if (!Directory.Exists(RootDirectory))
        {
            throw new PromptException($"The prompts folder '{RootDirectory}' does not exist. Create it or set PromptRegistryOptions.RootDirectory to the folder holding the .prompty files.");
        }

        Scan(forceAll: true, initial: true);
        PromptRegistryLog.Loaded(_logger, _state.Prompts.Count, RootDirectory);

        if (options.WatchForChanges)
        {
            _timer = new Timer(_ => OnTimer(), null, Timeout.Infinite, Timeout.Infinite);
            _watcher = new FileSystemWatcher(RootDirectory)
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            _watcher.Changed += OnFileEvent;
            _watcher.Created += OnFileEvent;
            _watcher.Deleted += OnFileEvent;
            _watcher.Renamed += OnFileEvent;
            _watcher.Error += OnWatcherError;
            _watcher.EnableRaisingEvents = true;
        }
    }

    /// <summary>Raised after a reload changed something or met a broken file; on a thread-pool thread.</summary>
    public event EventHandler<PromptsChangedEventArgs>? Changed;

    /// <inheritdoc/>
    public string RootDirectory { get; }

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Names => _state.Prompts.Keys;

    /// <summary>The files that currently fail to load, by path; a prompt listed here may still serve its last good version.</summary>
    public IReadOnlyList<PromptException> LoadErrors => _state.Errors.Values.Select(e => e.Error).ToList();

    /// <summary>
    /// Finds the default prompts folder: <c>prompts</c> beside the application (<see cref="AppContext.BaseDirectory"/>),
    /// else the first <c>prompts</c> folder in the current directory or one above it.
    /// </summary>
    /// <returns>The folder, or <see langword="null"/> when there is none.</returns>
    public static string? FindDefaultDirectory()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "prompts");
        if (Directory.Exists(beside))
        {
            return beside;
        }

        for (var folder = new DirectoryInfo(Directory.GetCurrentDirectory()); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "prompts");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public PromptTemplate Get(string name) =>
        TryGet(name, out var prompt) ? prompt! : throw new PromptNotFoundException(name, RootDirectory, PromptNames.CloseMatches(name, _state.Prompts.Keys));

    /// <inheritdoc/>
    public bool TryGet(string name, [NotNullWhen(true)] out PromptTemplate? prompt)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (_state.Prompts.TryGetValue(name, out var entry))
        {
            prompt = entry.Template;
            return true;
        }

        prompt = null;
        return false;
    }

    /// <summary>Re-reads every file now, as a watcher-triggered reload would (useful when watching is off).</summary>
    public void Reload()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Scan(forceAll: true, initial: false);
    }

    /// <summary>Stops watching the folder.</summary>
    public void Dispose()
    {
        lock (_reloadLock)
        {
            _disposed = true;
        }

        _watcher?.Dispose();
        _timer?.Dispose();
    }

    private void OnFileEvent(object sender, FileSystemEventArgs e)
    {
        lock (_pendingLock)
        {
            _pending.Add(e.FullPath);
            if (e is RenamedEventArgs renamed)
            {
                _pending.Add(renamed.OldFullPath);
            }
        }

        ScheduleReload();
    }

    private void OnWatcherError(object sender, ErrorEventArgs e)
    {
        // Events were lost (buffer overflow): a full rescan finds whatever changed.
        PromptRegistryLog.WatcherFailed(_logger, e.GetException(), RootDirectory);
        ScheduleReload();
    }

    private void ScheduleReload()
    {
        try
        {
            _timer?.Change(_reloadDelay, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // Disposed while an event was in flight.
        }
    }

    private void OnTimer()
    {
        try
        {
            Scan(forceAll: false, initial: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The folder itself went away or is unreadable; the next event retries.
            PromptRegistryLog.WatcherFailed(_logger, e, RootDirectory);
        }
    }

    private void Scan(bool forceAll, bool initial)
    {
        PromptsChangedEventArgs? change;
        lock (_reloadLock)
        {
            if (_disposed)
            {
                return;
            }

            HashSet<string> pending;
            lock (_pendingLock)
            {
                pending = [.. _pending];
                _pending.Clear();
            }

            var old = _state;
            var scan = new RegistryScan(RootDirectory, _maxFileBytes, old, _logger);
            var next = scan.Run(path => forceAll || pending.Contains(path), initial);
            _state = next;
            change = scan.HasChanges ? new PromptsChangedEventArgs(scan.Updated, scan.Removed, scan.Failed) : null;
        }

        if (change is not null && !initial)
        {
            Changed?.Invoke(this, change);
        }
    }

    /// <summary>An immutable view of the registry; replaced whole on each reload.</summary>
    internal sealed record State(Dictionary<string, Entry> Prompts, Dictionary<string, FailedFile> Errors)
    {
        public static State Empty { get; } = new([], []);
    }

    /// <summary>A loaded file and the stamp it had when read.</summary>
    internal sealed record Entry(PromptTemplate Template, FileStamp Stamp);

    /// <summary>A file that failed, with the stamp it had, so an unchanged broken file is not re-read and re-logged.</summary>
    internal sealed record FailedFile(PromptException Error, FileStamp Stamp);

    internal readonly record struct FileStamp(DateTime LastWriteUtc, long Length)
    {
        public static FileStamp Of(FileInfo file) => new(file.LastWriteTimeUtc, file.Length);
    }
}
