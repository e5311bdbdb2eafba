using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using AgentKit.Agents;
using AgentKit.Agents.Checkpoints;
using AgentKit.Agents.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentKit.Cli.Commands;

/// <summary>
/// <c>agentkit runs checkpoints SESSION</c> lists a session's run checkpoints, numbered 1, 2, … across its runs;
/// <c>agentkit runs fork SESSION --at N</c> starts a new session from checkpoint N (time travel). Both use the store
/// the configuration selects (<c>AgentKit:Storage</c>: the SQLite file, or PostgreSQL) and resume no runs.
/// </summary>
internal static class RunsCommands
{
    public static Command Create(CliContext context)
    {
        var config = AgentKitHost.ConfigOption();
        var session = new Argument<string>("session") { Description = "The session's id." };
        var checkpoints = new Command("checkpoints", "List a session's run checkpoints, numbered for 'agentkit runs fork --at'.") { session, config };
        checkpoints.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => WithRunnerAsync(
            context, parse.GetValue(config), runner => ListAsync(context, runner, parse.GetRequiredValue(session), cancellationToken), cancellationToken)));

        var forkSession = new Argument<string>("session") { Description = "The session to fork." };
        var at = new Option<int>("--at") { Description = "The checkpoint's number, as 'agentkit runs checkpoints' prints it.", Required = true };
        var forkConfig = AgentKitHost.ConfigOption();
        var fork = new Command("fork", "Start a new session whose history is the session's as it stood at a checkpoint.") { forkSession, at, forkConfig };
        fork.SetAction((parse, cancellationToken) => CommandErrors.RunAsync(context, () => WithRunnerAsync(
            context, parse.GetValue(forkConfig), runner => ForkAsync(context, runner, parse.GetRequiredValue(forkSession), parse.GetValue(at), cancellationToken), cancellationToken)));

        return new Command("runs", "Inspect durable agent runs: a session's checkpoints, and forks from them.") { checkpoints, fork };
    }

    private static async Task<int> ListAsync(CliContext context, AgentRunner runner, string sessionId, CancellationToken cancellationToken)
    {
        var list = await runner.ListCheckpointsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (list.Count == 0)
        {
            context.Error.MarkupLine($"[grey]Session '{Markup.Escape(sessionId)}' has no checkpointed runs.[/]");
            return ExitCodes.Success;
        }

        var writer = context.Out.Profile.Out.Writer;
        for (var i = 0; i < list.Count; i++)
        {
            var c = list[i];
            await writer.WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"{i + 1,4}  run {c.RunId}  #{c.Sequence,-3} {c.Kind,-17} step {c.Step}{(c.ToolName is null ? "" : "  " + c.ToolName)}  {c.CreatedAt:yyyy-MM-dd HH:mm:ss}Z\n")).ConfigureAwait(false);
        }

        return ExitCodes.Success;
    }

    private static async Task<int> ForkAsync(CliContext context, AgentRunner runner, string sessionId, int at, CancellationToken cancellationToken)
    {
        var list = await runner.ListCheckpointsAsync(sessionId, cancellationToken).ConfigureAwait(false);
        if (at < 1 || at > list.Count)
        {
            throw new CommandInputException(list.Count == 0
                ? $"Session '{sessionId}' has no checkpoints to fork from (--at {at})."
                : $"--at {at} is not a checkpoint of session '{sessionId}': its checkpoints are 1 to {list.Count} (agentkit runs checkpoints {sessionId}).");
        }

        var checkpoint = list[at - 1];
        var forked = await runner.ForkSessionAsync(sessionId, checkpoint.RunId, checkpoint.Sequence, cancellationToken: cancellationToken).ConfigureAwait(false);
        await context.Out.Profile.Out.Writer.WriteAsync($"{forked.Id}\n").ConfigureAwait(false);
        context.Error.MarkupLine(Markup.Escape($"Forked session '{sessionId}' at checkpoint {at} (run {checkpoint.RunId}, #{checkpoint.Sequence} {checkpoint.Kind}) into session '{forked.Id}'."));
        return ExitCodes.Success;
    }

    private static async Task<int> WithRunnerAsync(CliContext context, FileInfo? config, Func<AgentRunner, Task<int>> command, CancellationToken cancellationToken)
    {
        // Inspecting must not resume other processes' unfinished runs.
        using var host = await AgentKitHost.StartAsync(context, config, s => s.Configure<DurableRunOptions>(o => o.Resume = RunResumeMode.OnRequest), cancellationToken).ConfigureAwait(false);
        try
        {
            var runner = host.Services.GetRequiredService<AgentRunner>();
            if (runner.Checkpoints is null)
            {
                throw new CommandInputException("Runs are not checkpointed in this configuration (AgentKit:Runs:Checkpoints is off, or the session store keeps no checkpoints).");
            }

            return await command(runner).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SessionNotFoundException or RunCheckpointException)
        {
            throw new CommandInputException(e.Message);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
