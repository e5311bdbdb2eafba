namespace AgentKit.Abstractions.Text;

/// <summary>
/// The most tokens a model reads in one input, counted as its <see cref="ITokenCounter"/> counts (the model's own
/// start and end tokens excluded); input beyond it is cut off or refused by the model. Models offer it through
/// <c>GetService(typeof(ModelInputLimit))</c>, so that callers size what they send (RAG chunks) to what is read.
/// </summary>
/// <param name="MaxTokens">The limit, at least 1.</param>
public sealed record ModelInputLimit(int MaxTokens);
