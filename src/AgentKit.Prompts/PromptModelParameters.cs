namespace AgentKit.Prompts;

/// <summary>
/// The <c>model.parameters</c> of a prompt file: sampling settings that <see cref="PromptTemplate.CreateChatOptions"/>
/// maps to <see cref="Microsoft.Extensions.AI.ChatOptions"/>. Every value is <see langword="null"/> when the file
/// does not set it, so the client's own default applies.
/// </summary>
public sealed class PromptModelParameters
{
    /// <summary>An instance with nothing set.</summary>
    public static PromptModelParameters None { get; } = new();

    /// <summary><c>temperature</c>.</summary>
    public float? Temperature { get; init; }

    /// <summary><c>top_p</c>.</summary>
    public float? TopP { get; init; }

    /// <summary><c>top_k</c>.</summary>
    public int? TopK { get; init; }

    /// <summary><c>max_tokens</c>: the most tokens the answer may have.</summary>
    public int? MaxTokens { get; init; }

    /// <summary><c>stop</c>: sequences that end the answer (a string or a list in the file).</summary>
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary><c>seed</c>: for reproducible sampling where the engine supports it.</summary>
    public long? Seed { get; init; }

    /// <summary><c>frequency_penalty</c>.</summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary><c>presence_penalty</c>.</summary>
    public float? PresencePenalty { get; init; }

    /// <summary>
    /// <c>response_format</c>: <c>text</c> or <c>json_object</c>. A prompt with an <c>outputs</c> schema asks for
    /// JSON-Schema output whatever this says.
    /// </summary>
    public string? ResponseFormat { get; init; }
}
