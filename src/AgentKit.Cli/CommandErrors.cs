using AgentKit.LlamaCpp;
using AgentKit.LlamaCpp.Models;
using AgentKit.Prompts;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.VectorData;
using Spectre.Console;

namespace AgentKit.Cli;

/// <summary>
/// Turns the errors a user can cause or fix (typed AgentKit exceptions, Ctrl+C) into one red line on stderr
/// and an exit code; anything else is a bug and keeps its stack trace.
/// </summary>
internal static class CommandErrors
{
    public static async Task<int> RunAsync(CliContext context, Func<Task<int>> command)
    {
        try
        {
            return await command().ConfigureAwait(false);
        }
        catch (ModelDownloadException e) when (e.IsOffline)
        {
            Write(context, e.Message);
            return ExitCodes.Offline;
        }
        catch (Exception e) when (e is PromptException or LlamaException or CommandInputException or VectorStoreException
            or Microsoft.Extensions.Options.OptionsValidationException or AgentKit.Rag.Knowledge.KnowledgeSourceException
            or AgentKit.Sandbox.Making.MadeToolStoreException or AgentKit.Evaluation.Datasets.EvalDatasetException or AgentKit.Evaluation.Reports.EvalBaselineException
            or AgentKit.Evaluation.Optimization.PromptOptimizationException)
        {
            // VectorStoreException: a --db file that is not a knowledge base, or a collection of another shape.
            // OptionsValidationException: the configuration (appsettings.json, --config) names a bad key; the message says which.
            Write(context, e.Message);
            return ExitCodes.Error;
        }
        catch (Exception e) when (ConfigurationFailures(e) is { } failures)
        {
            // The configuration was refused at start (AddAgentKit's validation): one line per key.
            foreach (var failure in failures)
            {
                Write(context, failure);
            }

            return ExitCodes.Error;
        }
        catch (OperationCanceledException)
        {
            context.Error.MarkupLine("[yellow]Stopped.[/]");
            return ExitCodes.Cancelled;
        }
    }

    /// <summary>The messages of a start-up validation failure (several options types fail together in an <see cref="AggregateException"/>), or null for other errors.</summary>
    private static List<string>? ConfigurationFailures(Exception e) => e switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException all when all.InnerExceptions.All(i => i is OptionsValidationException) =>
            [.. all.InnerExceptions.Cast<OptionsValidationException>().SelectMany(v => v.Failures)],
        _ => null,
    };

    public static void Write(CliContext context, string message) =>
        context.Error.MarkupLine($"[red]{Markup.Escape(message)}[/]");
}

/// <summary>Input the user can fix (a missing folder, an empty knowledge base): one line on stderr, exit code 1.</summary>
internal sealed class CommandInputException(string message) : Exception(message);
