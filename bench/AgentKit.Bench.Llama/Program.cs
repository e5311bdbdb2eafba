using AgentKit.Testing;
Console.WriteLine(TestModelFactory.Qwen2HalfB);
var sw = System.Diagnostics.Stopwatch.StartNew();
Console.WriteLine(TestModelFactory.GetOrCreate(TestModelFactory.Qwen2HalfB));
Console.WriteLine(sw.Elapsed);
