namespace AgentKit.LlamaCpp.Grammars;

/// <summary>Options for <see cref="JsonSchemaGrammarConverter"/>.</summary>
public sealed class JsonSchemaGrammarOptions
{
    /// <summary>
    /// The most characters a string may have when its schema sets no <c>maxLength</c>. Default <see langword="null"/>:
    /// unbounded, so a model is free to write a string forever; set this to guarantee generation ends. Values over
    /// 2000 (llama.cpp's repetition limit) leave strings unbounded.
    /// </summary>
    public int? MaxStringLength { get; init; }

    /// <summary>
    /// Whether one optional space may follow <c>{ [ , :</c>. Default <see langword="true"/>, which lets a model
    /// write <c>{"a": 1}</c> the way it was trained; <see langword="false"/> forces fully compact JSON.
    /// Line breaks and indentation are never allowed, so output stays short.
    /// </summary>
    public bool AllowWhitespace { get; init; } = true;
}
