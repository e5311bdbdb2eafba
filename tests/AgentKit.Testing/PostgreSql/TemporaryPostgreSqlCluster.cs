using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace AgentKit.Testing.PostgreSql;

/// <summary>
/// A throw-away PostgreSQL cluster: <c>initdb</c> into a temporary folder, <c>pg_ctl start</c> on a free loopback
/// port (its Unix socket in the same folder), one database created, and on disposal stopped and deleted. initdb refuses
/// to run as root, so as root the cluster runs as the <c>postgres</c> user (through <c>runuser</c>) in a folder that
/// user owns. When no server binaries are installed, <see cref="StartAsync"/> returns null and
/// <see cref="MissingReason"/> says why, so tests can skip.
/// </summary>
public sealed class TemporaryPostgreSqlCluster : IAsyncDisposable
{
    private const string User = "agentkit";
    private readonly string _bin;
    private readonly string? _runAs;
    private readonly DirectoryInfo _root;

    private TemporaryPostgreSqlCluster(string bin, string? runAs, DirectoryInfo root, int port, string database)
    {
        _bin = bin;
        _runAs = runAs;
        _root = root;
        Port = port;
        Database = database;
    }

    /// <summary>The loopback TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary>The database created for the caller.</summary>
    public string Database { get; }

    /// <summary>An Npgsql connection string for <see cref="Database"/> over TCP on loopback (user <c>agentkit</c>, trust authentication).</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Database={Database};Username={User}";

    /// <summary>Why a cluster cannot be started here, or <see langword="null"/> when the binaries (and, as root, the <c>postgres</c> user) are present.</summary>
    public static string? MissingReason
    {
        get
        {
            if (!OperatingSystem.IsLinux())
            {
                return "the temporary PostgreSQL cluster is started on Linux only";
            }

            if (FindBinDirectory() is null)
            {
                return "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or PATH: install them (Debian: apt-get install postgresql)";
            }

            return IsRoot() && !File.ReadLines("/etc/passwd").Any(l => l.StartsWith("postgres:", StringComparison.Ordinal))
                ? "running as root and there is no 'postgres' user to run initdb as (initdb refuses root)"
                : null;
        }
    }

    /// <summary>Starts a cluster with one database, or returns null when <see cref="MissingReason"/> is set.</summary>
    /// <param name="database">The database to create.</param>
    /// <param name="durable">Keep PostgreSQL's durability settings (fsync, synchronous commit) as shipped, for benchmarks; tests turn them off for speed.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running cluster.</returns>
    public static async Task<TemporaryPostgreSqlCluster?> StartAsync(string database = "agentkit_tests", bool durable = false, CancellationToken cancellationToken = default)
    {
        if (MissingReason is not null)
        {
            return null;
        }

        var bin = FindBinDirectory()!;
        var runAs = IsRoot() ? "postgres" : null;
        var root = Directory.CreateTempSubdirectory("agentkit-pg-");
        var port = FreePort();
        var cluster = new TemporaryPostgreSqlCluster(bin, runAs, root, port, database);
        try
        {
            if (runAs is not null)
            {
                await RunAsync("chown", ["-R", $"{runAs}:", root.FullName], cancellationToken).ConfigureAwait(false);
            }

            var data = Path.Combine(root.FullName, "data");
            await cluster.RunToolAsync("initdb", ["-D", data, "-U", User, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], cancellationToken).ConfigureAwait(false);
            var settings = $"-p {port} -k {root.FullName} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=64MB"
                + (durable ? string.Empty : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            await cluster.RunToolAsync("pg_ctl", ["-D", data, "-l", Path.Combine(root.FullName, "server.log"), "-w", "-t", "60", "-o", settings, "start"], cancellationToken).ConfigureAwait(false);
            await cluster.RunToolAsync("createdb", ["-h", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-U", User, database], cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server immediately and deletes its folder.</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        var data = Path.Combine(_root.FullName, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                await RunToolAsync("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "30", "stop"], CancellationToken.None).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Already stopped; the folder is deleted either way.
            }
        }

        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless; the test result is what matters.
        }
    }

    private Task RunToolAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var path = Path.Combine(_bin, tool);
        return _runAs is null ? RunAsync(path, arguments, cancellationToken) : RunAsync("runuser", ["-u", _runAs, "--", path, .. arguments], cancellationToken);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Path.GetTempPath() };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{file}' could not be started.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {process.ExitCode}: {await errors.ConfigureAwait(false)}{await output.ConfigureAwait(false)}");
        }
    }

    private static string? FindBinDirectory()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d => Path.Combine(d, "bin"))
            : [];
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return candidates.Concat(path).FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "createdb")));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // Environment.UserName is the effective user's name on Unix (getpwuid of geteuid).
    private static bool IsRoot() => string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
}
