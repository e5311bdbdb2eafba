using System.CommandLine;
using AgentKit.LlamaCpp.Models;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit models pull &lt;repo&gt; &lt;file&gt;</c>, or <c>agentkit models pull &lt;name&gt;</c> for a well-known embedding
/// model (<see cref="KnownModels.Embedding"/>): downloads a GGUF file into the cache and prints its path.
/// </summary>
internal static class ModelsPullCommand
{
    public static Command Create(CliContext context)
    {
        var repository = new Argument<string>("repo") { Description = $"The Hugging Face repository, owner/name (e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF), or a well-known embedding model: {string.Join(", ", KnownModels.Embedding.Keys)}." };
        var file = new Argument<string?>("file") { Description = "The GGUF file in the repository (e.g. qwen2.5-0.5b-instruct-q4_k_m.gguf); none for a well-known model.", Arity = ArgumentArity.ZeroOrOne };
        var revision = new Option<string>("--revision") { Description = "Branch, tag or commit.", DefaultValueFactory = _ => ModelReference.DefaultRevision };
        var sha256 = new Option<string?>("--sha256") { Description = "The file's expected SHA-256 (64 hex digits)." };

        var command = new Command("pull", "Download a GGUF model from Hugging Face into the model cache and print its path.")
        {
            repository, file, revision, sha256,
        };
        command.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, async () =>
        {
            ModelReference model;
            try
            {
                model = Resolve(parse.GetRequiredValue(repository), parse.GetValue(file), parse.GetRequiredValue(revision), parse.GetValue(sha256));
            }
            catch (ArgumentException e)
            {
                CommandErrors.Write(context, e.Message);
                return ExitCodes.Error;
            }

            // Ctrl+C stops the download cleanly; the partial file is resumed by the next pull.
            using var stop = new CancelKeyScope(context.CancelKey, cancellationToken);
            var path = await ModelPuller.PullAsync(context, model, stop.Token).ConfigureAwait(false);
            context.Out.Profile.Out.Writer.WriteLine(path);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static ModelReference Resolve(string repository, string? file, string revision, string? sha256)
    {
        if (file is not null)
        {
            return new ModelReference(repository, file, revision, sha256);
        }

        if (!KnownModels.TryGetEmbedding(repository, out var known))
        {
            throw new ArgumentException($"'{repository}' is not a well-known model ({string.Join(", ", KnownModels.Embedding.Keys)}); give a repository and a file: agentkit models pull <owner/repo> <file.gguf>.", nameof(repository));
        }

        return revision == ModelReference.DefaultRevision && sha256 is null ? known : new ModelReference(known.Repository, known.File, revision, sha256);
    }
}
