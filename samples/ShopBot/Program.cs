using AgentKit.Agents;
using AgentKit.LlamaCpp.Models;
using Microsoft.Extensions.DependencyInjection;
using ShopBot.Cli;
using ShopBot.Startup;

// ShopBot: `dotnet run --project samples/ShopBot` starts the web chat (with the stand-in carrier, the SMTP sink,
// the order database and the policy knowledge base); `-- --cli` chats in the terminal instead.
var cli = args.Contains("--cli");
var sessionIndex = Array.IndexOf(args, "--session");
var sessionId = sessionIndex >= 0 && sessionIndex + 1 < args.Length ? args[sessionIndex + 1] : null;
var hostArgs = args.Where((a, i) => a != "--cli" && a != "--session" && (sessionIndex < 0 || i != sessionIndex + 1)).ToList();
if (cli)
{
    // The terminal chat needs no web port of its own; Kestrel still hosts nothing the user must know about.
    hostArgs.Add("--urls=http://127.0.0.1:0");
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// `-- --eval eval/scenarios.jsonl`: qualify the configured model on the evaluation suite (docs/shopbot.md).
if (args.Contains("--eval"))
{
    string[] evalOptions = ["--eval", "--repeat", "--parallel", "--json", "--html", "--min-pass-rate"];
    var evalHostArgs = args.Where((a, i) => !evalOptions.Contains(a) && a != "--no-cache" && (i == 0 || !evalOptions.Contains(args[i - 1]))).Append("--urls=http://127.0.0.1:0").ToList();
    try
    {
        return await ShopBot.Eval.ShopBotQualification.RunAsync(args, evalHostArgs, Console.Out, stop.Token);
    }
    catch (OperationCanceledException) when (stop.IsCancellationRequested)
    {
        Console.Error.WriteLine();
        Console.Error.WriteLine("Stopped.");
        return 130;
    }
}

ShopBotApp app;
try
{
    app = await ShopBotApp.StartAsync(new ShopBotStartOptions { Args = hostArgs }, stop.Token);
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    // Ctrl+C while starting (most likely during the first model download): one line, the shell's code for SIGINT.
    Console.Error.WriteLine();
    Console.Error.WriteLine("Stopped before ShopBot was ready. A model download resumes where it stopped on the next start.");
    return 130;
}
catch (ModelDownloadException e) when (e.IsOffline)
{
    Console.Error.WriteLine(ModelSetup.OfflineAdvice(e));
    return 3;
}
catch (ModelDownloadException e)
{
    Console.Error.WriteLine($"ShopBot could not get its model: {e.Message}");
    return 3;
}
catch (ShopBot.Agent.ContextPlanException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    Console.Error.WriteLine($"{e.Message} Stop the other process, or choose other ports: --urls http://127.0.0.1:PORT (web chat), --ShopBot:Carrier:LocalUrl=http://127.0.0.1:PORT, --ShopBot:Smtp:LocalSinkPort=PORT.");
    return 4;
}
catch (System.Net.Sockets.SocketException e) when (e.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
{
    Console.Error.WriteLine($"The SMTP sink's port is in use ({e.Message}). Choose another with --ShopBot:Smtp:LocalSinkPort=PORT.");
    return 4;
}

await using (app)
{
    if (cli)
    {
        var chat = new TerminalChat(app.Services.GetRequiredService<AgentRunner>(), Console.In, Console.Out);
        await chat.RunAsync(sessionId, stop.Token);
        return 0;
    }

    Console.WriteLine($"ShopBot is ready: open {app.Url} in a browser. Ctrl+C stops it.");
    if (app.CarrierHost is not null)
    {
        Console.WriteLine($"  carrier stand-in: {ShopBot.Carrier.CarrierApp.GetAddress(app.CarrierHost)}");
    }

    if (app.MailSink is not null)
    {
        Console.WriteLine($"  SMTP sink: 127.0.0.1:{app.MailSink.Port} (label e-mails are printed here)");
        app.MailSink.MessageReceived += (_, mail) => Console.WriteLine($"  [mail] to {string.Join(", ", mail.Recipients)}: {mail.Message.Subject} ({mail.Message.Attachments.Count()} attachment(s))");
    }

    // Stops on Ctrl+C and on SIGTERM (the host's lifetime), whichever comes first.
    using var stopping = app.Web.Lifetime.ApplicationStopping.Register(stop.Cancel);
    try
    {
        await Task.Delay(Timeout.Infinite, stop.Token);
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine("Stopping.");
    }

    return 0;
}
