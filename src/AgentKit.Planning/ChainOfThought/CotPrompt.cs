namespace AgentKit.Planning;

/// <summary>Chooses the zero- or few-shot reasoning prompt and its inputs; shared by chain-of-thought and self-consistency.</summary>
internal static class CotPrompt
{
    public static (string Name, Dictionary<string, object?> Inputs) Build(
        string question, AnswerFormat format, IReadOnlyList<CotExample> examples, string zeroShotPrompt, string fewShotPrompt)
    {
        var inputs = new Dictionary<string, object?>
        {
            ["question"] = question,
            ["format"] = format.Kind,
            ["format_detail"] = format.Detail,
        };
        if (examples.Count == 0)
        {
            return (zeroShotPrompt, inputs);
        }

        inputs["examples"] = examples.Select(e => new Dictionary<string, object?>
        {
            ["question"] = e.Question,
            ["reasoning"] = e.Reasoning,
            ["answer"] = e.Answer,
        }).ToList();
        return (fewShotPrompt, inputs);
    }
}
