using AgentKit.Cli;

return await AgentKitCli.RunAsync(args, CliContext.FromSystemConsole()).ConfigureAwait(false);
