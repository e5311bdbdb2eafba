using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentKit.LlamaCpp.Native;

/// <summary>
/// Loads the llama.cpp natives once per process: finds the native folder, loads <c>libggml-base</c>,
/// <c>libggml</c> and <c>libllama</c>, registers them for the source-generated P/Invokes, loads the best
/// backends (CPU variant for this processor, CUDA when present) and routes llama.cpp's log to an
/// <see cref="ILogger"/>.
/// </summary>
public static class LlamaNativeLibrary
{
    /// <summary>The environment variable that points at a llama.cpp build with the v0.5.0 ABI to use instead of the fetched natives.</summary>
    public const string LibraryDirectoryVariable = "AGENTKIT_LLAMA_LIB_DIR";

    /// <summary>The file the build writes beside the application naming the natives' folder (see AgentKit.LlamaCpp.targets).</summary>
    internal const string BuildChoiceFile = "agentkit-llama-natives.txt";

    private static readonly Lock InitLock = new();
    private static volatile bool s_initialized;
    private static nint s_llama;
    private static nint s_ggml;
    private static nint s_ggmlBase;
    private static ILogger s_logger = NullLogger.Instance;
    private static readonly StringBuilder PendingLine = new();

    /// <summary>The folder the natives were loaded from, once <see cref="Initialize"/> has run.</summary>
    public static string? LoadedFrom { get; private set; }

    /// <summary>The backend devices llama.cpp found (name and description), once initialized.</summary>
    public static IReadOnlyList<LlamaBackendDevice> Devices { get; private set; } = [];

    /// <summary>
    /// Loads the natives if they are not loaded yet. Safe to call many times and from many threads; the
    /// first call decides the folder and the logger.
    /// </summary>
    /// <param name="libraryDirectory">
    /// The folder holding <c>libllama</c> and <c>libggml*</c>. Default: <c>AGENTKIT_LLAMA_LIB_DIR</c>, else the
    /// folder a <c>-p:AgentKitLlamaBackend=native</c> build chose, else <c>runtimes/linux-x64/native</c> beside the
    /// application, else the application folder.
    /// </param>
    /// <param name="loggerFactory">Where llama.cpp's own log goes (category <c>AgentKit.LlamaCpp.Native</c>).</param>
    /// <exception cref="LlamaNativeLibraryException">The natives could not be found or loaded.</exception>
    public static void Initialize(string? libraryDirectory = null, ILoggerFactory? loggerFactory = null)
    {
        if (s_initialized)
        {
            return;
        }

        lock (InitLock)
        {
            if (s_initialized)
            {
                return;
            }

            s_logger = loggerFactory?.CreateLogger("AgentKit.LlamaCpp.Native") ?? NullLogger.Instance;
            var directory = ResolveDirectory(libraryDirectory, AppContext.BaseDirectory);
            s_ggmlBase = LoadFirst(directory, ["libggml-base.so"]);
            s_ggml = LoadFirst(directory, ["libggml.so", "libggml.v0.5.0.so", "libggml.cuda.v0.5.0.so"]);
            s_llama = LoadFirst(directory, ["libllama.so", "libllama.v0.5.0.so", "libllama.cuda.v0.5.0.so"]);
            NativeLibrary.SetDllImportResolver(typeof(LlamaNativeLibrary).Assembly, Resolve);

            unsafe
            {
                NativeMethods.llama_log_set(&OnNativeLog, null);
                NativeMethods.ggml_log_set(&OnNativeLog, null);
            }

            NativeMethods.ggml_backend_load_all_from_path(directory);
            NativeMethods.llama_backend_init();
            Devices = ReadDevices();
            LoadedFrom = directory;
            s_initialized = true;
            var deviceNames = string.Join(", ", Devices.Select(d => d.Name));
            Log.NativesLoaded(s_logger, directory, deviceNames);
        }
    }

    /// <summary>Replaces the logger that receives llama.cpp's log (for example once the host's logging is built).</summary>
    public static void SetLogger(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        s_logger = loggerFactory.CreateLogger("AgentKit.LlamaCpp.Native");
    }

    /// <summary>The natives' folder for an application in <paramref name="applicationDirectory"/> (see <see cref="Initialize"/>).</summary>
    internal static string ResolveDirectory(string? explicitDirectory, string applicationDirectory)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            candidates.Add(explicitDirectory);
        }
        else
        {
            var fromEnvironment = Environment.GetEnvironmentVariable(LibraryDirectoryVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                candidates.Add(fromEnvironment);
            }
            else
            {
                if (ChosenAtBuild(applicationDirectory) is { } built)
                {
                    // The build chose these libraries: never fall back to others in silence.
                    return HasLlama(built) ? Path.GetFullPath(built) : throw new LlamaNativeLibraryException(
                        $"The build chose the llama.cpp natives in {built} ({BuildChoiceFile} beside the application, from -p:AgentKitLlamaBackend=native), but that folder holds no libllama*.so: build the application again (it rebuilds them), or build without the property to use the fetched natives.");
                }

                candidates.Add(Path.Combine(applicationDirectory, "runtimes", "linux-x64", "native"));
                candidates.Add(applicationDirectory);
            }
        }

        foreach (var candidate in candidates)
        {
            if (HasLlama(candidate))
            {
                return Path.GetFullPath(candidate);
            }
        }

        throw new LlamaNativeLibraryException(
            $"No llama.cpp natives (libllama*.so) in {string.Join(" or ", candidates)}. Build the project that references AgentKit.LlamaCpp (it fetches them), or set {LibraryDirectoryVariable} to a llama.cpp v0.5.0 build.");
    }

    private static bool HasLlama(string directory) => Directory.Exists(directory) && Directory.EnumerateFiles(directory, "libllama*.so").Any();

    /// <summary>
    /// The folder the build chose (<c>-p:AgentKitLlamaBackend=native</c>: llama.cpp built for this CPU), read from
    /// <see cref="BuildChoiceFile"/> beside the application; null when the file is absent or empty (the fetched
    /// libraries in <c>runtimes/linux-x64/native</c>).
    /// </summary>
    internal static string? ChosenAtBuild(string applicationDirectory)
    {
        var file = Path.Combine(applicationDirectory, BuildChoiceFile);
        if (!File.Exists(file))
        {
            return null;
        }

        var line = File.ReadLines(file).FirstOrDefault()?.Trim();
        return string.IsNullOrEmpty(line) ? null : line;
    }

    private static nint LoadFirst(string directory, string[] names)
    {
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                try
                {
                    return NativeLibrary.Load(path);
                }
                catch (DllNotFoundException ex)
                {
                    throw new LlamaNativeLibraryException($"Could not load {path}: {ex.Message}", ex);
                }
            }
        }

        throw new LlamaNativeLibraryException($"None of {string.Join(", ", names)} is in {directory}.");
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        NativeMethods.LibLlama => s_llama,
        NativeMethods.LibGgml => s_ggml,
        NativeMethods.LibGgmlBase => s_ggmlBase,
        _ => nint.Zero,
    };

    internal static unsafe List<LlamaBackendDevice> ReadDevices()
    {
        var devices = new List<LlamaBackendDevice>();
        var count = NativeMethods.ggml_backend_dev_count();
        for (nuint i = 0; i < count; i++)
        {
            var device = NativeMethods.ggml_backend_dev_get(i);
            NativeMethods.ggml_backend_dev_memory(device, out var free, out var total);
            devices.Add(new LlamaBackendDevice(
                NativeMethods.PtrToString(NativeMethods.ggml_backend_dev_name(device)) ?? "?",
                NativeMethods.PtrToString(NativeMethods.ggml_backend_dev_description(device)) ?? "",
                (LlamaBackendDeviceType)NativeMethods.ggml_backend_dev_type(device),
                (long)total,
                (long)free));
        }

        return devices;
    }

    // llama.cpp logs in fragments ending with '\n'; GGML_LOG_LEVEL_CONT (5) continues the previous line.
    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnNativeLog(int level, byte* text, void* userData)
    {
        try
        {
            var fragment = NativeMethods.PtrToString(text);
            if (string.IsNullOrEmpty(fragment))
            {
                return;
            }

            lock (PendingLine)
            {
                PendingLine.Append(fragment);
                if (!fragment.EndsWith('\n'))
                {
                    return;
                }

                var line = PendingLine.ToString().TrimEnd('\n');
                PendingLine.Clear();
                var logLevel = level switch
                {
                    1 => LogLevel.Debug,
                    2 => LogLevel.Debug, // llama.cpp's "info" is very chatty: per-tensor and per-key lines
                    3 => LogLevel.Warning,
                    4 => LogLevel.Error,
                    _ => LogLevel.Debug,
                };
                Log.Native(s_logger, logLevel, line);

                LastErrorCapture.Record(logLevel, line);
            }
        }
        catch (Exception)
        {
            // Never let an exception cross back into native code.
        }
    }
}

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "llama.cpp natives loaded from {Directory}; devices: {Devices}")]
    public static partial void NativesLoaded(ILogger logger, string directory, string devices);

    [LoggerMessage(EventId = 2, Message = "{NativeMessage}")]
    public static partial void Native(ILogger logger, LogLevel level, string nativeMessage);
}

/// <summary>A compute device llama.cpp can use.</summary>
/// <param name="Name">The backend's device name, e.g. <c>CPU</c> or <c>CUDA0</c>.</param>
/// <param name="Description">A human-readable description (processor or GPU model).</param>
/// <param name="Type">The kind of device.</param>
/// <param name="TotalMemoryBytes">Total memory the device reports.</param>
/// <param name="FreeMemoryBytes">Free memory the device reports at initialization.</param>
public sealed record LlamaBackendDevice(string Name, string Description, LlamaBackendDeviceType Type, long TotalMemoryBytes, long FreeMemoryBytes);

/// <summary>The kind of a backend device (ggml's <c>ggml_backend_dev_type</c>).</summary>
public enum LlamaBackendDeviceType
{
    /// <summary>The CPU.</summary>
    Cpu = 0,

    /// <summary>A discrete GPU.</summary>
    Gpu = 1,

    /// <summary>An integrated GPU sharing host memory.</summary>
    IntegratedGpu = 2,

    /// <summary>An accelerator used together with the CPU (e.g. BLAS, AMX).</summary>
    Accelerator = 3,

    /// <summary>A meta device spanning others.</summary>
    Meta = 4,
}

/// <summary>
/// Keeps the last warnings and errors llama.cpp logged on this thread so that a failed native call can
/// say why (llama.cpp reports most load and grammar failures only through its log).
/// </summary>
internal static class LastErrorCapture
{
    [ThreadStatic]
    private static List<string>? t_lines;

    public static void Begin() => (t_lines ??= []).Clear();

    public static void Record(LogLevel level, string line)
    {
        if (level >= LogLevel.Warning && t_lines is { } lines && lines.Count < 32)
        {
            lines.Add(line);
        }
    }

    public static string Describe()
    {
        if (t_lines is not { Count: > 0 } lines)
        {
            return "";
        }

        return string.Join(" | ", lines.Select(l => l.Trim()).Where(l => l.Length > 0).Distinct());
    }
}
