using System.Text.Json;
using AgentKit.Sandbox.Making;
using Microsoft.Extensions.Options;

namespace AgentKit.Sandbox.Tests.Making;

/// <summary>A real made-tool store on a temporary SQLite file, the real sandbox with tight limits, and proposals to feed them.</summary>
internal sealed class MadeToolFixture : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("agentkit-made-tools-").FullName;

    public MadeToolFixture(Action<ToolMakingOptions>? configure = null, params string[] registeredNames)
    {
        Path = System.IO.Path.Combine(_folder, "made-tools.db");
        Sandbox = new JavaScriptSandbox(Limits);
        Options = new ToolMakingOptions { Path = Path };
        configure?.Invoke(Options);
        Store = new MadeToolStore(Path);
        Maker = new ToolMaker(Store, Sandbox, Microsoft.Extensions.Options.Options.Create(Options), _ => ValueTask.FromResult<IReadOnlyCollection<string>>(registeredNames));
        Source = new MadeToolSource(Maker, Sandbox);
    }

    public static SandboxOptions Limits { get; } = new() { Timeout = TimeSpan.FromSeconds(2), MaxStatements = 200_000, MaxMemoryBytes = 16L * 1024 * 1024, MaxRecursionDepth = 100 };

    public string Folder => _folder;

    public string Path { get; }

    public JavaScriptSandbox Sandbox { get; }

    public ToolMakingOptions Options { get; }

    public MadeToolStore Store { get; }

    public ToolMaker Maker { get; }

    public MadeToolSource Source { get; }

    public static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Celsius to Fahrenheit, with two examples that pass.</summary>
    public static MadeToolProposal CelsiusToFahrenheit(string body = "return input.celsius * 9 / 5 + 32;", string name = "celsius_to_fahrenheit") => new(
        name,
        "Converts a temperature from degrees Celsius to degrees Fahrenheit.",
        Json("""{"type":"object","properties":{"celsius":{"type":"number","description":"Degrees Celsius"}},"required":["celsius"],"additionalProperties":false}"""),
        body,
        [new(Json("""{"celsius":100}"""), Json("212")), new(Json("""{"celsius":-40}"""), Json("-40.0"))]);

    public static MadeToolProposal WithBody(string body, string expected = "1") => new(
        "hostile",
        "A tool under test.",
        Json("""{"type":"object","properties":{}}"""),
        body,
        [new(Json("{}"), Json(expected))]);

    public void Dispose()
    {
        Sandbox.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The temp folder is cleaned by the OS.
        }
    }
}
