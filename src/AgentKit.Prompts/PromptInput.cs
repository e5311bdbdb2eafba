using System.Diagnostics.CodeAnalysis;

namespace AgentKit.Prompts;

/// <summary>An input a prompt file declares under <c>inputs:</c>.</summary>
public sealed class PromptInput
{
    internal PromptInput(string name, PromptInputType type, bool required, object? defaultValue, bool hasDefault, string? description, int line)
    {
        Name = name;
        Type = type;
        Required = required;
        Default = defaultValue;
        HasDefault = hasDefault;
        Description = description;
        Line = line;
    }

    /// <summary>The input's name, as templates refer to it.</summary>
    public string Name { get; }

    /// <summary>The declared type; values of another type are refused.</summary>
    public PromptInputType Type { get; }

    /// <summary>Whether a caller must give it. Inputs are optional unless declared <c>required: true</c>.</summary>
    public bool Required { get; }

    /// <summary>The value used when the caller gives none; <see langword="null"/> (Liquid <c>nil</c>) without a default.</summary>
    public object? Default { get; }

    /// <summary>Whether the file declares a <c>default</c>.</summary>
    public bool HasDefault { get; }

    /// <summary>What the input is for, for prompt engineers and tooling.</summary>
    public string? Description { get; }

    /// <summary>The 1-based line in the file where the input is declared.</summary>
    public int Line { get; }
}

/// <summary>The types an input can declare, named as in JSON Schema.</summary>
public enum PromptInputType
{
    /// <summary><c>string</c>: a <see cref="string"/>.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The JSON Schema type names.")]
    String,

    /// <summary><c>number</c>: any numeric value.</summary>
    Number,

    /// <summary><c>integer</c>: a whole number.</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The JSON Schema type names.")]
    Integer,

    /// <summary><c>boolean</c>: <see langword="true"/> or <see langword="false"/>.</summary>
    Boolean,

    /// <summary><c>array</c>: a list (any <see cref="System.Collections.IEnumerable"/> but a string or a map).</summary>
    Array,

    /// <summary><c>object</c>: a map with string keys, a JSON object or a plain .NET object (read through its JSON form).</summary>
    [SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The JSON Schema type names.")]
    Object,
}
