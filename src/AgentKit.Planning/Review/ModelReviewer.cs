using System.Text.Json.Serialization;
using AgentKit.Prompts;
using Microsoft.Extensions.AI;

namespace AgentKit.Planning;

/// <summary>A review by a model: a prompt with the <c>{accept, feedback}</c> output (<c>planning/verify</c>, <c>planning/critique</c>).</summary>
internal static class ModelReviewer
{
    public static async Task<AnswerReview> ReviewAsync(PlanningRun run, string promptName, string question, string answer, string reasoning, int round, IChatClient? client)
    {
        var prompt = run.Prompt(promptName);
        var inputs = new Dictionary<string, object?> { ["question"] = question, ["answer"] = answer, ["reasoning"] = reasoning };
        if (prompt.Inputs.ContainsKey("round"))
        {
            inputs["round"] = round;
        }

        try
        {
            var reply = await run.StructuredAsync<ReviewReply>(prompt, inputs, client: client).ConfigureAwait(false);
            return new AnswerReview(reply.Accept, reply.Feedback ?? "");
        }
        catch (PromptOutputException e)
        {
            // A reviewer that cannot say yes clearly has not accepted; the answerer gets another try.
            run.Trace.Add(TraceStepKind.Decision, "review", answer, $"the review was not valid twice: {e.Message}");
            return new AnswerReview(false, "The review could not be read; re-check the solution step by step.");
        }
    }

    internal sealed record ReviewReply(
        [property: JsonPropertyName("accept")] bool Accept,
        [property: JsonPropertyName("feedback")] string? Feedback);
}
