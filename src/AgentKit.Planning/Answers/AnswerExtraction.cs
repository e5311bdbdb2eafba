namespace AgentKit.Planning;

/// <summary>How the answer is taken out of a line of reasoning.</summary>
public enum AnswerExtraction
{
    /// <summary>
    /// Two-stage: a second model call (<c>planning/extract-answer</c>, or <c>planning/extract-json</c> for JSON
    /// answers) reads the reasoning and states the answer in the format. One extra call per reasoning path.
    /// </summary>
    Model,

    /// <summary>Parse the answer from the reasoning (<see cref="AnswerFormat.TryParse"/>); no extra call, no answer when it is not found.</summary>
    Parse,

    /// <summary>Parse first; only when that finds nothing, ask the model. The cheapest that still rescues unusual phrasing.</summary>
    ParseThenModel,
}
