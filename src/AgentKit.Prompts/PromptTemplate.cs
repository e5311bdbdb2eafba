using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentKit.Prompts.Parsing;
using AgentKit.Prompts.Rendering;
using Microsoft.Extensions.AI;

namespace AgentKit.Prompts;

/// <summary>
/// A parsed <c>.prompty</c> file: YAML front matter (name, description, version, model parameters, inputs, an
/// output schema, sample inputs) and a Liquid body split into <c>system:</c> / <c>user:</c> / <c>assistant:</c>
/// messages. Immutable and safe to render from many threads.
/// </summary>
/// <remarks>
/// Rendering is strict: an undefined variable or map key, a missing required input, an input of the wrong type or
/// one the file does not declare raises a <see cref="PromptException"/> naming the file, the line and the input.
/// </remarks>
public sealed class PromptTemplate
{
    /// <summary>The extension of prompt files.</summary>
    public const string FileExtension = ".prompty";

    /// <summary>The default largest prompt file <see cref="Load(string, string)"/> reads: 256 KiB.</summary>
    public const int DefaultMaxFileBytes = 256 * 1024;

    /// <summary>Most characters one rendering may produce (1 Mi); beyond it rendering fails.</summary>
    public const int MaxRenderedChars = PromptBody.MaxRenderedChars;

    private readonly PromptBody _body;

    private PromptTemplate(string name, string filePath, FrontMatter header, PromptBody body)
    {
        Name = name;
        FilePath = filePath;
        DisplayName = header.DisplayName;
        Description = header.Description;
        Version = header.Version;
        Parameters = header.Parameters;
        Inputs = header.Inputs;
        OutputSchema = header.OutputSchema;
        Sample = header.Sample;
        _body = body;
    }

    /// <summary>The prompt's name: in a registry, its path relative to the prompts folder without the extension (<c>planning/tot-propose</c>).</summary>
    public string Name { get; }

    /// <summary>The front matter's <c>name</c>, a title for people; <see langword="null"/> when absent.</summary>
    public string? DisplayName { get; }

    /// <summary>The front matter's <c>description</c>.</summary>
    public string? Description { get; }

    /// <summary>The front matter's <c>version</c>.</summary>
    public string? Version { get; }

    /// <summary>The file the prompt came from, as given; errors name it.</summary>
    public string FilePath { get; }

    /// <summary>The <c>model.parameters</c>; unset values are <see langword="null"/>.</summary>
    public PromptModelParameters Parameters { get; }

    /// <summary>The declared inputs by name.</summary>
    public IReadOnlyDictionary<string, PromptInput> Inputs { get; }

    /// <summary>The <c>outputs</c> JSON Schema for structured answers; <see langword="null"/> for free text.</summary>
    public JsonElement? OutputSchema { get; }

    /// <summary>Example inputs (<c>sample</c>, and each input's <c>sample</c>), for tooling and tests.</summary>
    public IReadOnlyDictionary<string, object?> Sample { get; }

    /// <summary>Root variables the body reads that it does not define itself (loop variables, <c>assign</c>, <c>capture</c>).</summary>
    public IReadOnlyCollection<string> TemplateVariables => _body.Variables;

    /// <summary>Parses a prompt file's text.</summary>
    /// <param name="text">The whole file.</param>
    /// <param name="name">The prompt's name (a registry key).</param>
    /// <param name="filePath">The file, for error messages; the file is not read.</param>
    /// <returns>The prompt.</returns>
    /// <exception cref="PromptException">The YAML or the Liquid is not valid, or the front matter is not a prompt's.</exception>
    public static PromptTemplate Parse(string text, string name, string filePath)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(filePath);

        var lines = text.TrimStart('\uFEFF').ReplaceLineEndings("\n").Split('\n');
        var header = FrontMatter.Read("", filePath);
        var bodyStart = 0;
        if (lines.Length > 0 && lines[0].TrimEnd() == "---")
        {
            var close = Array.FindIndex(lines, 1, l => l.TrimEnd() == "---");
            if (close < 0)
            {
                throw new PromptException("the front matter opened by '---' on line 1 is never closed: add a line '---' after it.", filePath, 1);
            }

            header = FrontMatter.Read(string.Join('\n', lines[1..close]), filePath);
            bodyStart = close + 1;
        }

        var body = PromptBody.Parse(string.Join('\n', lines[bodyStart..]), bodyStart, filePath);
        return new PromptTemplate(name, filePath, header, body);
    }

    /// <summary>Reads and parses a prompt file of at most <see cref="DefaultMaxFileBytes"/>.</summary>
    /// <param name="filePath">The file.</param>
    /// <param name="name">The prompt's name (a registry key).</param>
    /// <returns>The prompt.</returns>
    /// <exception cref="PromptException">The file cannot be read, is too large, or is not a valid prompt.</exception>
    public static PromptTemplate Load(string filePath, string name) => Load(filePath, name, DefaultMaxFileBytes);

    internal static PromptTemplate Load(string filePath, string name, long maxFileBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        string text;
        try
        {
            using var stream = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (stream.Length > maxFileBytes)
            {
                throw new PromptException(string.Create(CultureInfo.InvariantCulture, $"the file is {stream.Length} bytes, over the {maxFileBytes}-byte limit for prompt files; split it."), filePath, 0);
            }

            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            text = DecodeUtf8(bytes, filePath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PromptException($"the file cannot be read: {e.Message}", filePath, 0, innerException: e);
        }

        return Parse(text, name, filePath);
    }

    /// <summary>Decodes strict UTF-8 (a BOM is skipped); invalid bytes are an error naming the line and byte offset.</summary>
    private static string DecodeUtf8(byte[] bytes, string filePath)
    {
        var content = bytes.AsSpan();
        var start = content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        for (var at = start; at < content.Length;)
        {
            if (Rune.DecodeFromUtf8(content[at..], out _, out var consumed) != OperationStatus.Done)
            {
                var line = content[..at].Count((byte)'\n') + 1;
                throw new PromptException(
                    string.Create(CultureInfo.InvariantCulture, $"the file is not valid UTF-8: byte 0x{content[at]:X2} at byte offset {at}; save it as UTF-8."),
                    filePath,
                    line);
            }

            at += consumed;
        }

        return Encoding.UTF8.GetString(content[start..]);
    }

    /// <summary>Renders the messages for the given inputs.</summary>
    /// <param name="inputs">Values by input name; inputs left out take their default (or nil).</param>
    /// <returns>The messages in file order; a section that renders empty is left out.</returns>
    /// <exception cref="PromptException">An input is missing, unknown or mistyped, or the template reads something undefined.</exception>
    public IList<ChatMessage> Render(IReadOnlyDictionary<string, object?> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return _body.Render(InputBinder.Bind(this, inputs));
    }

    /// <summary>
    /// Creates the chat options for a call: the file's <c>model.parameters</c>, then whatever
    /// <paramref name="overrides"/> sets. When the prompt declares <c>outputs</c>, the response format is that JSON
    /// Schema (unless <paramref name="overrides"/> sets one).
    /// </summary>
    /// <param name="overrides">Options from the caller; its set values win. Not modified.</param>
    /// <returns>New options.</returns>
    public ChatOptions CreateChatOptions(ChatOptions? overrides = null)
    {
        var options = overrides?.Clone() ?? new ChatOptions();
        var p = Parameters;
        options.Temperature ??= p.Temperature;
        options.TopP ??= p.TopP;
        options.TopK ??= p.TopK;
        options.MaxOutputTokens ??= p.MaxTokens;
        options.Seed ??= p.Seed;
        options.FrequencyPenalty ??= p.FrequencyPenalty;
        options.PresencePenalty ??= p.PresencePenalty;
        if (options.StopSequences is null && p.Stop is { } stop)
        {
            options.StopSequences = [.. stop];
        }

        options.ResponseFormat ??= OutputSchema is { } schema
            ? ChatResponseFormat.ForJsonSchema(schema, SchemaName, Description)
            : p.ResponseFormat switch
            {
                "json_object" => ChatResponseFormat.Json,
                "text" => ChatResponseFormat.Text,
                _ => null,
            };
        return options;
    }

    /// <summary>The schema name providers want: letters, digits, '_' and '-' only.</summary>
    internal string SchemaName => new(Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());

    /// <summary>The 1-based file line where the body first reads <paramref name="variable"/>; 0 when it does not.</summary>
    internal int FindVariableLine(string variable) => _body.FindLine(variable);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({FilePath})";
}
