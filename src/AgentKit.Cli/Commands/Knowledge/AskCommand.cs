using System.CommandLine;
using AgentKit.Abstractions.Graph;
using AgentKit.LlamaCpp;
using AgentKit.Prompts;
using AgentKit.Rag.Answers;
using AgentKit.Rag.Retrieval;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentKit.Cli.Commands.Knowledge;

/// <summary>
/// <c>agentkit ask "&lt;question&gt;"</c>: answers from the knowledge base with the local chat model (the prompt
/// file <c>rag/answer</c>, retrieved passages fenced as data) and prints the answer, then its numbered citations
/// (source, page, section). With <c>--answer global</c>, a question about the whole corpus is answered by the
/// knowledge graph's global search (its configured model, over its community summaries) and the citations are the
/// chunks behind the communities it used.
/// </summary>
internal static class AskCommand
{
    public static Command Create(CliContext context)
    {
        var question = new Argument<string>("question") { Description = "The question." };
        var model = new Option<string?>("--model", "-m") { Description = LocalChatModel.OptionDescription };
        var mode = CliKnowledgeBase.ModeOption();
        var answerMode = new Option<RagAnswerMode>("--answer")
        {
            Description = "How the answer is made: passages (from the passages retrieval finds, by the local model) or global (from the knowledge graph's community summaries, for questions about the whole corpus such as 'what are the main themes?'; needs AgentKit:Graph in appsettings.json and an ingest with it). Default: passages.",
            DefaultValueFactory = _ => RagAnswerMode.Passages,
        };
        var top = CliKnowledgeBase.TopOption("How many passages the model is given. Default: 5.");
        var rerank = CliKnowledgeBase.RerankOption();
        var maxTokens = new Option<int?>("--max-tokens") { Description = "The most tokens the answer may have." };
        var contextSize = new Option<int?>("--context-size", "-c") { Description = "The context window in tokens." };
        var db = CliKnowledgeBase.DatabaseOption();
        var collection = CliKnowledgeBase.CollectionOption();
        maxTokens.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is <= 0) { r.AddError("--max-tokens must be positive."); } });
        contextSize.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is <= 0) { r.AddError("--context-size must be positive."); } });
        var command = new Command("ask", "Answer a question from the knowledge base with a local model, citing the passages used.")
        {
            question, model, mode, answerMode, top, rerank, maxTokens, contextSize, db, collection,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => RunAsync(
            context,
            new AskSettings(parse.GetRequiredValue(question), parse.GetValue(model), parse.GetValue(mode), parse.GetValue(answerMode), parse.GetValue(top),
                CliKnowledgeBase.RerankValue(parse, rerank), parse.GetValue(maxTokens), parse.GetValue(contextSize), parse.GetRequiredValue(db), parse.GetRequiredValue(collection)),
            cancellationToken)));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, AskSettings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Question))
        {
            throw new CommandInputException("The question is empty: agentkit ask \"<question>\".");
        }

        // Everything that can fail fast (an empty knowledge base, no prompt file) does so before the model loads.
        using var knowledge = await CliKnowledgeBase.OpenExistingAsync(context, settings.Database, settings.Collection, cancellationToken).ConfigureAwait(false);
        var rerank = await knowledge.ResolveRerankAsync(settings.Rerank, settings.Mode, cancellationToken).ConfigureAwait(false);
        var root = PromptRegistry.FindDefaultDirectory()
            ?? throw new PromptException("No prompts folder (with rag/answer.prompty) beside agentkit or in the current directory or above it.");
        using var prompts = new PromptRegistry(new PromptRegistryOptions { RootDirectory = root, WatchForChanges = false }, context.LoggerFactory.CreateLogger<PromptRegistry>());
        prompts.Get(RagAnswerer.DefaultPromptName);
        if (settings.AnswerMode == RagAnswerMode.Global)
        {
            return await AnswerGloballyAsync(context, knowledge, prompts, settings, cancellationToken).ConfigureAwait(false);
        }

        var path = await LocalChatModel.ResolveAsync(context, settings.ModelPath, cancellationToken).ConfigureAwait(false);
        if (path is null)
        {
            return ExitCodes.Offline;
        }

        using var model = await LlamaModel.LoadAsync(path, new LlamaModelOptions(), null, cancellationToken).ConfigureAwait(false);
        using var client = context.CreateChatClient(model, new ChatEngineSettings(settings.ContextSize, null), context.LoggerFactory);
        var answerer = await knowledge.Knowledge.CreateAnswererAsync(client, prompts, new RagAnswererOptions
        {
            Retrieval = new RetrievalOptions { Mode = settings.Mode, Top = settings.Top, Rerank = rerank },
        }, cancellationToken).ConfigureAwait(false);
        using var keys = new CancelKeyScope(context.CancelKey, cancellationToken);

        // The answer is printed as the model writes it. Model text goes to the raw writer: Spectre would parse it as markup.
        var writer = context.Out.Profile.Out.Writer;
        RagAnswer? answer = null;
        var started = false;
        await foreach (var update in answerer.AnswerStreamingAsync(settings.Question, new ChatOptions { MaxOutputTokens = settings.MaxTokens }, keys.Token).ConfigureAwait(false))
        {
            var text = started ? update.Text : update.Text.TrimStart();
            started |= text.Length > 0;
            await writer.WriteAsync(text).ConfigureAwait(false);
            await writer.FlushAsync(keys.Token).ConfigureAwait(false);
            answer = update.Answer ?? answer;
        }

        await writer.WriteAsync("\n").ConfigureAwait(false);
        if (answer is null)
        {
            throw new InvalidOperationException("The answer stream ended without the finished answer.");
        }

        await WriteCitationsAsync(writer, answer).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    // The graph answers with its own configured model: no local model is loaded.
    private static async Task<int> AnswerGloballyAsync(CliContext context, CliKnowledgeBase knowledge, PromptRegistry prompts, AskSettings settings, CancellationToken cancellationToken)
    {
        if (knowledge.Services.GetService<IGraphGlobalSearch>() is null || knowledge.Services.GetService<IChatClient>() is not { } graphModel)
        {
            throw new CommandInputException("--answer global answers from the knowledge graph's community summaries, and none is configured: add an AgentKit:Graph section (and a chat model) to appsettings.json, then run 'agentkit ingest' again to build the graph.");
        }

        var answerer = await knowledge.Knowledge.CreateAnswererAsync(graphModel, prompts, new RagAnswererOptions { Mode = RagAnswerMode.Global, MaxGlobalCitations = settings.Top }, cancellationToken).ConfigureAwait(false);
        using var keys = new CancelKeyScope(context.CancelKey, cancellationToken);
        var answer = await answerer.AnswerAsync(settings.Question, cancellationToken: keys.Token).ConfigureAwait(false);
        var writer = context.Out.Profile.Out.Writer;
        await writer.WriteAsync(answer.Text + "\n").ConfigureAwait(false);
        if (answer.Communities.Count > 0)
        {
            await writer.WriteAsync("\nCommunities:\n").ConfigureAwait(false);
            foreach (var community in answer.Communities)
            {
                await writer.WriteAsync($"- {community.Title}\n").ConfigureAwait(false);
            }
        }

        await WriteCitationsAsync(writer, answer).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task WriteCitationsAsync(TextWriter writer, RagAnswer answer)
    {
        var cited = answer.UsedCitations.Count > 0 ? answer.UsedCitations : answer.Citations;
        if (cited.Count > 0)
        {
            await writer.WriteAsync(answer.UsedCitations.Count > 0 ? "\nSources:\n" : "\nPassages given (the answer cites none):\n").ConfigureAwait(false);
            foreach (var citation in cited)
            {
                await writer.WriteAsync($"[{citation.Number}] {CliKnowledgeBase.Citation(citation.Chunk)}\n").ConfigureAwait(false);
            }
        }
    }

    private sealed record AskSettings(
        string Question, string? ModelPath, RetrievalMode Mode, RagAnswerMode AnswerMode, int Top, bool? Rerank, int? MaxTokens, int? ContextSize, string Database, string Collection);
}
