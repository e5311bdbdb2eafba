using System.Globalization;
using AgentKit.Bench.Runs;

// Usage: AgentKit.Bench.Runs [overhead [runs] [sqlite|postgresql]] | [faults [kills] [seed]]
var mode = args.Length > 0 ? args[0] : "overhead";
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
switch (mode)
{
    case "overhead":
        return await CheckpointOverhead.RunAsync(Arg(1, 200), args.Length > 2 && args[2].Equals("postgresql", StringComparison.OrdinalIgnoreCase));
    case "faults":
        return await FaultRun.RunAsync(Arg(1, 100), Arg(2, 1));
    default:
        Console.Error.WriteLine("usage: AgentKit.Bench.Runs [overhead [runs] [sqlite|postgresql]] | [faults [kills] [seed]]");
        return 2;
}
