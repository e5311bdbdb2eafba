using System.Text.Json;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>The second stage of two-stage answer extraction: reasoning in, a normalised answer (or none) out.</summary>
internal static class AnswerExtractor
{
    public const string ExtractPrompt = "planning/extract-answer";
    public const string ExtractJsonPrompt = "planning/extract-json";

    public static async Task<string?> ExtractAsync(PlanningRun run, string question, string reasoning, AnswerFormat format, AnswerExtraction mode)
    {
        if (mode != AnswerExtraction.Model && format.TryParse(reasoning) is { } parsed)
        {
            return parsed;
        }

        if (mode == AnswerExtraction.Parse)
        {
            run.Trace.Add(TraceStepKind.Decision, "extract", reasoning, $"no {format.Kind} answer found in the reasoning");
            return null;
        }

        if (format.Schema is { } schema)
        {
            var prompt = run.Prompt(ExtractJsonPrompt);
            var response = await run.CompleteAsync(prompt, new Dictionary<string, object?>
            {
                ["question"] = question,
                ["reasoning"] = reasoning,
                ["schema"] = JsonSerializer.Serialize(schema),
            }, new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema, "answer") }).ConfigureAwait(false);
            return format.Normalize(response.Text);
        }

        try
        {
            var extracted = await run.StructuredAsync<ExtractedAnswer>(run.Prompt(ExtractPrompt), new Dictionary<string, object?>
            {
                ["question"] = question,
                ["reasoning"] = reasoning,
                ["format"] = format.Kind,
                ["format_detail"] = format.Detail,
            }).ConfigureAwait(false);
            return format.Normalize(extracted.Answer);
        }
        catch (PromptOutputException e)
        {
            run.Trace.Add(TraceStepKind.Decision, "extract", reasoning, $"the extraction answer was not valid twice: {e.Message}");
            return null;
        }
    }

    /// <summary>The extraction prompt's structured answer.</summary>
    internal sealed record ExtractedAnswer(string Answer);
}
