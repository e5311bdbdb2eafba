using AgentKit.Faults.Worker;

// Usage: AgentKit.Faults.Worker ingest <data folder> <documents folder> [pause after each store write, ms]
//        AgentKit.Faults.Worker session <data folder>
//        AgentKit.Faults.Worker reflect <data folder> [model call delay, ms]
//        AgentKit.Faults.Worker diskfull <data folder on a small file system>
//        AgentKit.Faults.Worker durable <data folder> [pause for good after n checkpoint writes] [pause after each tool effect, ms] [tool calls]
//        AgentKit.Faults.Worker durable-pg <data folder> <connection string> <schema> [pause for good after n checkpoint writes]
//        AgentKit.Faults.Worker standby-pg <data folder> <connection string> <schema>
// Each mode prints one line per acknowledged write ("ACK ..."): a line is printed only after the write's task has
// completed, so everything acknowledged must survive a SIGKILL that comes after it.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: AgentKit.Faults.Worker <ingest|session|reflect|diskfull|durable|durable-pg|standby-pg> <data folder> [argument]");
    return 2;
}

var folder = args[1];
switch (args[0])
{
    case "ingest":
        await Scenarios.IngestAsync(folder, args.Length > 2 ? args[2] : throw new ArgumentException("ingest needs the documents folder"), Milliseconds(3));
        return 0;
    case "session":
        await Scenarios.SessionAsync(folder);
        return 0;
    case "reflect":
        await Scenarios.ReflectAsync(folder, Milliseconds(2));
        return 0;
    case "durable":
        await DurableRunScenario.RunAsync(
            folder, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 0, Milliseconds(3),
            args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : DurableRunScenario.ToolCalls);
        return 0;
    case "durable-pg" when args.Length >= 4:
        await DurableRunScenario.RunAsync(
            folder, args.Length > 4 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 0, TimeSpan.Zero, postgreSql: (args[2], args[3]));
        return 0;
    case "standby-pg" when args.Length >= 4:
        await DurableRunScenario.StandbyAsync(folder, (args[2], args[3]));
        return 0;
    case "diskfull":
        return await DiskFullScenario.RunAsync(folder);
    default:
        Console.Error.WriteLine($"unknown mode '{args[0]}'");
        return 2;
}

TimeSpan Milliseconds(int index) =>
    TimeSpan.FromMilliseconds(args.Length > index ? int.Parse(args[index], System.Globalization.CultureInfo.InvariantCulture) : 0);
