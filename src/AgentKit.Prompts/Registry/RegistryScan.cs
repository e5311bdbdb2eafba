using Microsoft.Extensions.Logging;

namespace AgentKit.Prompts;

/// <summary>One pass over the prompts folder: builds the next registry state from the previous one.</summary>
internal sealed class RegistryScan(string root, long maxFileBytes, PromptRegistry.State previous, ILogger logger)
{
    public List<string> Updated { get; } = [];

    public List<string> Removed { get; } = [];

    public List<PromptException> Failed { get; } = [];

    public bool HasChanges => Updated.Count + Removed.Count + Failed.Count > 0;

    /// <summary>Builds the next state; <paramref name="forceReload"/> says which files to re-read even if their stamp is unchanged.</summary>
    public PromptRegistry.State Run(Func<string, bool> forceReload, bool initial)
    {
        var prompts = new Dictionary<string, PromptRegistry.Entry>(StringComparer.Ordinal);
        var errors = new Dictionary<string, PromptRegistry.FailedFile>(StringComparer.Ordinal);
        var files = new DirectoryInfo(root).EnumerateFiles("*" + PromptTemplate.FileExtension, new EnumerationOptions
        {
            RecurseSubdirectories = true,
            IgnoreInaccessible = true,
            MatchCasing = MatchCasing.CaseSensitive,
        });
        foreach (var file in files.OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            var name = PromptNames.FromPath(root, file.FullName);
            var stamp = PromptRegistry.FileStamp.Of(file);
            var force = forceReload(file.FullName);
            previous.Prompts.TryGetValue(name, out var current);
            if (!force && current is not null && current.Stamp == stamp && current.Template.FilePath == file.FullName)
            {
                prompts[name] = current;
                continue;
            }

            if (!force && previous.Errors.TryGetValue(file.FullName, out var failed) && failed.Stamp == stamp)
            {
                errors[file.FullName] = failed;
                if (current is not null)
                {
                    prompts[name] = current;
                }

                continue;
            }

            Load(file, name, stamp, current, prompts, errors, initial);
        }

        foreach (var name in previous.Prompts.Keys.Where(n => !prompts.ContainsKey(n)))
        {
            Removed.Add(name);
            PromptRegistryLog.Removed(logger, name);
        }

        return new PromptRegistry.State(prompts, errors);
    }

    private void Load(
        FileInfo file,
        string name,
        PromptRegistry.FileStamp stamp,
        PromptRegistry.Entry? current,
        Dictionary<string, PromptRegistry.Entry> prompts,
        Dictionary<string, PromptRegistry.FailedFile> errors,
        bool initial)
    {
        try
        {
            prompts[name] = new PromptRegistry.Entry(PromptTemplate.Load(file.FullName, name, maxFileBytes), stamp);
            Updated.Add(name);
            if (!initial)
            {
                PromptRegistryLog.Reloaded(logger, name, file.FullName);
            }
        }
        catch (PromptException e)
        {
            errors[file.FullName] = new PromptRegistry.FailedFile(e, stamp);
            Failed.Add(e);
            if (current is not null)
            {
                prompts[name] = current;
                PromptRegistryLog.ReloadFailed(logger, e.FilePath, e.Line, name, e.Problem.Length > 0 ? e.Problem : e.Message);
            }
            else
            {
                PromptRegistryLog.LoadFailed(logger, e.FilePath, e.Line, e.Problem.Length > 0 ? e.Problem : e.Message);
            }
        }
    }
}
