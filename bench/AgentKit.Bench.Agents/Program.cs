using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(AgentKit.Bench.Agents.OrchestrationOverheadBenchmarks).Assembly).Run(args);
