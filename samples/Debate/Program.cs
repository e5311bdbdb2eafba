using System.Globalization;
using AgentKit.AgentFramework;
using AgentKit.Agents;
using Debate;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A debate between AgentKit agents as a Microsoft Agent Framework workflow:
//   dotnet run --project samples/Debate [-- --topic "Cities should ban cars from their centres." --rounds 2]
// The agents (proponent, opponent, judge) and the model come from appsettings.json: by default the small local model
// Qwen2.5-0.5B-Instruct, pulled into the model cache on the first run (about 0.5 GB). Any AgentKit:Models entry works
// instead, e.g. --AgentKit:Models:local:Path=/models/other.gguf or an OpenAI-compatible endpoint (docs/hosting.md).
var topic = Option("--topic") ?? "Remote work is better for software teams than working in an office.";
if (!int.TryParse(Option("--rounds") ?? "2", NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) || rounds is < 1 or > DebateWorkflow.MaxRounds)
{
    Console.Error.WriteLine($"--rounds must be a whole number from 1 to {DebateWorkflow.MaxRounds}.");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
{
    Args = [.. args.Where((a, i) => a is not ("--topic" or "--rounds") && (i == 0 || args[i - 1] is not ("--topic" or "--rounds")))],
    ContentRootPath = AppContext.BaseDirectory,
});
builder.AddAgentKit();
using var host = builder.Build();
try
{
    Console.Error.WriteLine("Starting the model (the first run downloads it)…");
    await host.StartAsync(stop.Token);
    var runner = host.Services.GetRequiredService<AgentRunner>();
    var workflow = DebateWorkflow.Build(
        new AgentKitAIAgent(runner, "proponent"), new AgentKitAIAgent(runner, "opponent"), new AgentKitAIAgent(runner, "judge"), rounds);

    Console.WriteLine($"Motion: {topic}\n");
    var verdict = await DebateWorkflow.RunAsync(workflow, topic, turn => Console.WriteLine($"[round {turn.Round}] {turn.Speaker}: {turn.Text}\n"), stop.Token);
    Console.WriteLine($"Judge: {verdict.Verdict}");
    await host.StopAsync(CancellationToken.None);
    return 0;
}
catch (OperationCanceledException) when (stop.IsCancellationRequested)
{
    Console.Error.WriteLine("Stopped.");
    return 130;
}
catch (DebateFailedException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

string? Option(string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}
