using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentKit.Prompts.Rendering;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AgentKit.Prompts.Parsing;

/// <summary>The YAML header of a prompt file, read strictly: unknown keys and wrong shapes are errors with their line.</summary>
internal sealed partial class FrontMatter
{
    private static readonly string[] TopLevelKeys = ["name", "description", "version", "authors", "tags", "template", "model", "inputs", "outputs", "sample"];
    private static readonly string[] InputKeys = ["type", "default", "required", "description", "sample"];
    private static readonly string[] ModelKeys = ["api", "parameters"];

    private const int MaxFlowDepth = 64;

    private readonly string _filePath;

    private FrontMatter(string filePath) => _filePath = filePath;

    public string? DisplayName { get; private set; }

    public string? Description { get; private set; }

    public string? Version { get; private set; }

    public PromptModelParameters Parameters { get; private set; } = PromptModelParameters.None;

    public Dictionary<string, PromptInput> Inputs { get; } = new(StringComparer.Ordinal);

    public JsonElement? OutputSchema { get; private set; }

    public Dictionary<string, object?> Sample { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads the YAML between the <c>---</c> lines; <paramref name="yaml"/> starts on the file's second line.</summary>
    public static FrontMatter Read(string yaml, string filePath)
    {
        var result = new FrontMatter(filePath);
        var stream = new YamlStream();
        try
        {
            RefuseDeepFlow(yaml, filePath);
            RefuseAliases(yaml, filePath);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new PromptException($"the front matter is not valid YAML: {YamlProblem(e)}", filePath, YamlValues.FileLine(e.Start), innerException: e);
        }
        catch (ArgumentException e)
        {
            // YamlDotNet's document loader throws this for some malformed block mappings (found by fuzzing).
            throw new PromptException(
                $"the front matter is not valid YAML ({e.Message}); check the indentation and the ':' after each key.",
                filePath,
                0,
                innerException: e);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner throws this, not a YamlException, when the text ends inside an unfinished flow value.
            throw new PromptException(
                "the front matter is not valid YAML: it ends inside an unfinished value (an unclosed '[', '{' or quote?).",
                filePath,
                yaml.Count('\n') + 2,
                innerException: e);
        }

        if (stream.Documents.Count == 0)
        {
            return result;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new PromptException("the front matter must be a YAML map of keys (name, description, model, inputs, ...).", filePath, YamlValues.FileLine(stream.Documents[0].RootNode));
        }

        result.ReadRoot(root);
        return result;
    }

    /// <summary>
    /// Refuses flow collections (<c>[</c>, <c>{</c>) nested more than <see cref="MaxFlowDepth"/> deep before YamlDotNet
    /// sees them: its scanner re-checks every open level at each token, so time grows with the square of the depth
    /// (20,000 levels took seconds; a 256 KiB file could hold 100,000).
    /// </summary>
    private static void RefuseDeepFlow(string yaml, string filePath)
    {
        var depth = 0;
        var quote = '\0';
        var line = 2;
        for (var i = 0; i < yaml.Length; i++)
        {
            var c = yaml[i];
            if (c == '\n')
            {
                line++;
            }
            else if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'' && (i == 0 || yaml[i - 1] is ' ' or '\t' or '\n' or '[' or '{' or ',' or ':' or '-'))
            {
                // Only where a quoted scalar can start, so an apostrophe inside a word (it's) is text.
                quote = c;
            }
            else if (c is '[' or '{' && ++depth > MaxFlowDepth)
            {
                throw new PromptException($"the front matter nests '[' or '{{' more than {MaxFlowDepth} levels deep; flatten it.", filePath, line);
            }
            else if (c is ']' or '}' && depth > 0)
            {
                depth--;
            }
        }
    }

    /// <summary>
    /// Refuses anchors' aliases (<c>*name</c>) before the document is built: each alias is a reference, and reading
    /// values that nest them expands them, so a few lines (nine levels of nine aliases) would take 9^9 steps.
    /// Prompt files have no use for them.
    /// </summary>
    private static void RefuseAliases(string yaml, string filePath)
    {
        var parser = new Parser(new StringReader(yaml));
        while (parser.MoveNext())
        {
            if (parser.Current is YamlDotNet.Core.Events.AnchorAlias alias)
            {
                throw new PromptException(
                    $"the front matter uses the YAML alias '*{alias.Value}'; aliases are not supported in prompt files: write the value out.",
                    filePath,
                    YamlValues.FileLine(alias.Start));
            }
        }
    }

    private void ReadRoot(YamlMappingNode root)
    {
        YamlMappingNode? sample = null;
        foreach (var (keyNode, value) in root.Children)
        {
            var key = YamlValues.KeyOf(keyNode);
            switch (key)
            {
                case "name": DisplayName = Text(value, key); break;
                case "description": Description = Text(value, key); break;
                case "version": Version = Text(value, key); break;
                case "authors" or "tags": break;
                case "template": CheckTemplateFormat(value); break;
                case "model": ReadModel(Map(value, key)); break;
                case "inputs": ReadInputs(Map(value, key)); break;
                case "outputs": OutputSchema = ReadOutputs(value); break;
                case "sample": sample = Map(value, key); break;
                default:
                    throw Error($"unknown front matter key '{key}'; the keys are {string.Join(", ", TopLevelKeys)}.", keyNode);
            }
        }

        if (sample is not null)
        {
            foreach (var (keyNode, value) in sample.Children)
            {
                var name = YamlValues.KeyOf(keyNode);
                Sample[name] = Inputs.TryGetValue(name, out var input) ? Typed(input.Type, value, name, "sample") : YamlValues.ToObject(value);
            }
        }
    }

    private void CheckTemplateFormat(YamlNode value)
    {
        var format = value is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("format"), out var f) ? f : value;
        if (format is not YamlScalarNode { Value: "liquid" })
        {
            throw Error("'template' must be 'liquid' (or 'format: liquid'): prompt bodies are Liquid templates.", value);
        }
    }

    private void ReadModel(YamlMappingNode model)
    {
        foreach (var (keyNode, value) in model.Children)
        {
            switch (YamlValues.KeyOf(keyNode))
            {
                case "api":
                    if (value is not YamlScalarNode { Value: "chat" })
                    {
                        throw Error("'model.api' must be 'chat': prompt files render chat messages.", value);
                    }

                    break;
                case "parameters":
                    Parameters = ReadParameters(Map(value, "model.parameters"));
                    break;
                default:
                    throw Error($"unknown key 'model.{YamlValues.KeyOf(keyNode)}'; the keys are {string.Join(", ", ModelKeys)}.", keyNode);
            }
        }
    }

    private PromptModelParameters ReadParameters(YamlMappingNode parameters)
    {
        float? temperature = null, topP = null, frequency = null, presence = null;
        int? topK = null, maxTokens = null;
        long? seed = null;
        IReadOnlyList<string>? stop = null;
        string? responseFormat = null;
        foreach (var (keyNode, value) in parameters.Children)
        {
            var key = YamlValues.KeyOf(keyNode);
            switch (key)
            {
                case "temperature": temperature = Range(value, key, 0, 2); break;
                case "top_p": topP = Range(value, key, 0, 1); break;
                case "frequency_penalty": frequency = Range(value, key, -2, 2); break;
                case "presence_penalty": presence = Range(value, key, -2, 2); break;
                case "top_k": topK = checked((int)WholeNumber(value, key, 1, int.MaxValue)); break;
                case "max_tokens": maxTokens = checked((int)WholeNumber(value, key, 1, int.MaxValue)); break;
                case "seed": seed = WholeNumber(value, key, long.MinValue, long.MaxValue); break;
                case "stop": stop = Stop(value); break;
                case "response_format": responseFormat = ResponseFormat(value); break;
                default:
                    throw Error($"unknown model parameter '{key}'; the parameters are temperature, top_p, top_k, max_tokens, stop, seed, frequency_penalty, presence_penalty, response_format.", keyNode);
            }
        }

        return new PromptModelParameters
        {
            Temperature = temperature,
            TopP = topP,
            TopK = topK,
            MaxTokens = maxTokens,
            Stop = stop,
            Seed = seed,
            FrequencyPenalty = frequency,
            PresencePenalty = presence,
            ResponseFormat = responseFormat,
        };
    }

    private void ReadInputs(YamlMappingNode inputs)
    {
        foreach (var (keyNode, value) in inputs.Children)
        {
            var name = YamlValues.KeyOf(keyNode);
            if (!IdentifierPattern().IsMatch(name))
            {
                throw new PromptException("an input name must be a Liquid identifier: a letter or '_', then letters, digits, '_' or '-'.", _filePath, YamlValues.FileLine(keyNode), name);
            }

            var spec = value as YamlMappingNode
                ?? throw new PromptException("declare the input as a map: 'type: string' (or number, integer, boolean, array, object), with optional 'required', 'default' and 'description'.", _filePath, YamlValues.FileLine(value), name);
            Inputs[name] = ReadInput(name, keyNode, spec);
        }
    }

    private PromptInput ReadInput(string name, YamlNode keyNode, YamlMappingNode spec)
    {
        PromptInputType? type = null;
        var required = false;
        string? description = null;
        YamlNode? defaultNode = null, sampleNode = null;
        foreach (var (k, v) in spec.Children)
        {
            switch (YamlValues.KeyOf(k))
            {
                case "type": type = InputType(v, name); break;
                case "required": required = Flag(v, name); break;
                case "description": description = Text(v, "description"); break;
                case "default": defaultNode = v; break;
                case "sample": sampleNode = v; break;
                default:
                    throw new PromptException($"unknown key '{YamlValues.KeyOf(k)}' in the input's declaration; the keys are {string.Join(", ", InputKeys)}.", _filePath, YamlValues.FileLine(k), name);
            }
        }

        if (type is not { } declared)
        {
            throw new PromptException("the input has no 'type'; declare one of string, number, integer, boolean, array, object.", _filePath, YamlValues.FileLine(keyNode), name);
        }

        if (required && defaultNode is not null)
        {
            throw new PromptException("a required input cannot have a default; drop 'required: true' or the default.", _filePath, YamlValues.FileLine(defaultNode), name);
        }

        var defaultValue = defaultNode is null ? null : Typed(declared, defaultNode, name, "default");
        if (sampleNode is not null)
        {
            Sample[name] = Typed(declared, sampleNode, name, "sample");
        }

        return new PromptInput(name, declared, required, defaultValue, defaultNode is not null, description, YamlValues.FileLine(keyNode));
    }

    private object? Typed(PromptInputType type, YamlNode node, string name, string what)
    {
        // A string input's plain scalar is the text as written: 'default: 42' means "42".
        var value = type == PromptInputType.String && node is YamlScalarNode scalar && !YamlValues.IsNull(node)
            ? scalar.Value
            : YamlValues.ToObject(node);
        if (value is not null && InputTypes.Describe(type, value) is { } mismatch)
        {
            throw new PromptException($"the {what} is {mismatch}.", _filePath, YamlValues.FileLine(node), name);
        }

        return value;
    }

    private JsonElement ReadOutputs(YamlNode value)
    {
        if (value is not YamlMappingNode)
        {
            throw Error("'outputs' must be a JSON Schema written as YAML (for example 'type: object' with 'properties').", value);
        }

        var schema = YamlValues.ToJson(value);
        if (schema.TryGetProperty("type", out var type) && type.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            throw Error("'outputs.type' must be a JSON Schema type name or a list of them.", value);
        }

        return schema;
    }

    private PromptInputType InputType(YamlNode node, string name) => (node as YamlScalarNode)?.Value switch
    {
        "string" => PromptInputType.String,
        "number" => PromptInputType.Number,
        "integer" => PromptInputType.Integer,
        "boolean" => PromptInputType.Boolean,
        "array" => PromptInputType.Array,
        "object" => PromptInputType.Object,
        var other => throw new PromptException($"unknown type '{other}'; use string, number, integer, boolean, array or object.", _filePath, YamlValues.FileLine(node), name),
    };

    private bool Flag(YamlNode node, string name) => YamlValues.ToObject(node) is bool b
        ? b
        : throw new PromptException("'required' must be true or false.", _filePath, YamlValues.FileLine(node), name);

    private string? Text(YamlNode node, string key) => node switch
    {
        _ when YamlValues.IsNull(node) => null,
        YamlScalarNode scalar => scalar.Value,
        _ => throw Error($"'{key}' must be text.", node),
    };

    private YamlMappingNode Map(YamlNode node, string key) =>
        node as YamlMappingNode ?? throw Error($"'{key}' must be a map of keys.", node);

    private float Range(YamlNode node, string key, double min, double max) =>
        YamlValues.ToObject(node) switch
        {
            long l when l >= min && l <= max => l,
            double d when d >= min && d <= max => (float)d,
            _ => throw Error(string.Create(CultureInfo.InvariantCulture, $"'{key}' must be a number from {min} to {max}."), node),
        };

    private long WholeNumber(YamlNode node, string key, long min, long max) =>
        YamlValues.ToObject(node) is long l && l >= min && l <= max
            ? l
            : throw Error(string.Create(CultureInfo.InvariantCulture, $"'{key}' must be a whole number from {min} to {max}."), node);

    private List<string> Stop(YamlNode node) => node switch
    {
        YamlScalarNode { Value: { Length: > 0 } text } => [text],
        YamlSequenceNode list when list.Children.All(c => c is YamlScalarNode { Value.Length: > 0 }) =>
            list.Children.Select(c => ((YamlScalarNode)c).Value!).ToList(),
        _ => throw Error("'stop' must be a non-empty string or a list of them.", node),
    };

    private string ResponseFormat(YamlNode node)
    {
        var format = node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode("type"), out var t) ? t : node;
        return (format as YamlScalarNode)?.Value switch
        {
            "text" => "text",
            "json_object" or "json" => "json_object",
            _ => throw Error("'response_format' must be 'text' or 'json_object'; for a JSON Schema, declare 'outputs'.", node),
        };
    }

    private PromptException Error(string problem, YamlNode node) => new(problem, _filePath, YamlValues.FileLine(node));

    private static string YamlProblem(YamlException e)
    {
        var message = e.InnerException?.Message ?? e.Message;
        var at = message.IndexOf("): ", StringComparison.Ordinal);
        return at >= 0 && message.StartsWith('(') ? message[(at + 3)..] : message;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_-]*$")]
    private static partial Regex IdentifierPattern();
}
