using System.Text.Json;

namespace AgentKit.Sandbox.Tests;

public sealed class JavaScriptSandboxTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_ReturnsOutputAndLastExpressionAsJson()
    {
        using var sandbox = new JavaScriptSandbox();

        var result = await sandbox.RunAsync(new SandboxRequest("const xs = [1, 2, 3];\nconsole.log('sum', xs.reduce((a, b) => a + b, 0));\n({ n: xs.length, twice: xs.map(x => x * 2) })"), Token);

        Assert.Equal("sum 6\n", result.Output);
        Assert.Equal("""{"n":3,"twice":[2,4,6]}""", result.Result);
        Assert.Equal("sum 6", result.Answer);
    }

    [Fact]
    public async Task Run_PrintsObjectsAsJsonAndPrimitivesAsStrings()
    {
        using var sandbox = new JavaScriptSandbox();

        var result = await sandbox.RunAsync(new SandboxRequest("console.log({ a: 1 }, [1, 'x'], 2.5, true, null, undefined); print('done'); console.error('e')"), Token);

        Assert.Equal("{\"a\":1} [1,\"x\"] 2.5 true null undefined\ndone\ne\n", result.Output);
        Assert.Null(result.Result);
    }

    [Fact]
    public async Task Answer_WithoutOutput_IsTheResultUnquoted()
    {
        using var sandbox = new JavaScriptSandbox();

        var text = await sandbox.RunAsync(new SandboxRequest("'forty' + '-two'"), Token);
        var number = await sandbox.RunAsync(new SandboxRequest("6 * 7"), Token);

        Assert.Equal("forty-two", text.Answer);
        Assert.Equal("42", number.Answer);
    }

    [Fact]
    public async Task Run_AwaitsAPromiseResult()
    {
        using var sandbox = new JavaScriptSandbox();

        var result = await sandbox.RunAsync(new SandboxRequest("(async () => { const v = await Promise.resolve(20); return v + 1; })()"), Token);

        Assert.Equal("21", result.Result);
    }

    [Fact]
    public async Task Run_WithInput_ExposesItAsTheInputGlobal()
    {
        using var sandbox = new JavaScriptSandbox();
        using var input = JsonDocument.Parse("""{"prices":[2.5,4],"quantity":3}""");

        var result = await sandbox.RunAsync(new SandboxRequest("input.prices.reduce((a, b) => a + b) * input.quantity") { Input = input.RootElement }, Token);

        Assert.Equal("19.5", result.Result);
    }

    [Fact]
    public async Task Run_IsStrictMode()
    {
        using var sandbox = new JavaScriptSandbox();

        var error = await Assert.ThrowsAsync<SandboxScriptException>(() => sandbox.RunAsync(new SandboxRequest("undeclared = 1"), Token));

        Assert.Equal(SandboxErrorKind.Uncaught, error.Kind);
        Assert.Contains("ReferenceError", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MathRandom_IsSeeded_SameSeedSameNumbers()
    {
        using var sandbox = new JavaScriptSandbox();
        const string Code = "[Math.random(), Math.random(), Math.random()]";

        var first = await sandbox.RunAsync(new SandboxRequest(Code), Token);
        var second = await sandbox.RunAsync(new SandboxRequest(Code), Token);
        var other = await sandbox.RunAsync(new SandboxRequest(Code) { RandomSeed = 7 }, Token);

        Assert.Equal(first.Result, second.Result);
        Assert.NotEqual(first.Result, other.Result);
    }

    [Fact]
    public async Task SyntaxError_NamesLineAndColumn_AndKeepsNoOutput()
    {
        using var sandbox = new JavaScriptSandbox();

        var error = await Assert.ThrowsAsync<SandboxScriptException>(() => sandbox.RunAsync(new SandboxRequest("const a = 1;\nconst b = ;"), Token));

        Assert.Equal(SandboxErrorKind.Syntax, error.Kind);
        Assert.Equal(2, error.Line);
        Assert.StartsWith("SyntaxError", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UncaughtThrow_KeepsTheOutputPrintedBeforeIt()
    {
        using var sandbox = new JavaScriptSandbox();

        var error = await Assert.ThrowsAsync<SandboxScriptException>(() => sandbox.RunAsync(new SandboxRequest("console.log('before');\nnull.x;"), Token));

        Assert.Equal("before\n", error.Output);
        Assert.Contains("TypeError", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Line);
    }

    [Fact]
    public async Task CodeOverTheSizeLimit_IsRefusedBeforeParsing()
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { MaxCodeChars = 100 });

        var error = await Assert.ThrowsAsync<SandboxLimitExceededException>(() => sandbox.RunAsync(new SandboxRequest(new string(' ', 101) + "1"), Token));

        Assert.Equal(SandboxLimit.CodeSize, error.Limit);
        Assert.Contains("MaxCodeChars", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InputOverTheSizeLimit_IsRefused()
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { MaxInputChars = 64 });
        using var input = JsonDocument.Parse($"\"{new string('x', 100)}\"");

        var error = await Assert.ThrowsAsync<SandboxLimitExceededException>(() => sandbox.RunAsync(new SandboxRequest("input") { Input = input.RootElement }, Token));

        Assert.Equal(SandboxLimit.InputSize, error.Limit);
    }

    [Fact]
    public async Task ResultOverTheSizeLimit_NamesTheResultLimit()
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { MaxResultChars = 100 });

        var error = await Assert.ThrowsAsync<SandboxLimitExceededException>(() => sandbox.RunAsync(new SandboxRequest("'x'.repeat(200)"), Token));

        Assert.Equal(SandboxLimit.Result, error.Limit);
        Assert.Contains("MaxResultChars", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrency_WhenEverySlotIsBusyPastTheQueueTimeout_NamesTheLimit()
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { MaxConcurrentRuns = 1, QueueTimeout = TimeSpan.FromMilliseconds(50), Timeout = TimeSpan.FromSeconds(3), MaxStatements = int.MaxValue, MaxMemoryBytes = 1L << 32 });
        var busy = sandbox.RunAsync(new SandboxRequest("const end = Date.now() + 1000; while (Date.now() < end) {}"), Token);

        var error = await Assert.ThrowsAsync<SandboxLimitExceededException>(() => sandbox.RunAsync(new SandboxRequest("1"), Token));
        await busy;

        Assert.Equal(SandboxLimit.Concurrency, error.Limit);
        Assert.Equal("2", (await sandbox.RunAsync(new SandboxRequest("1 + 1"), Token)).Result);
    }

    [Fact]
    public async Task Cancellation_StopsARunningProgram()
    {
        using var sandbox = new JavaScriptSandbox(new SandboxOptions { Timeout = TimeSpan.FromSeconds(30), MaxStatements = int.MaxValue });
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Token);
        cancel.CancelAfter(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.RunAsync(new SandboxRequest("while (true) {}"), cancel.Token));
    }

    [Theory]
    [InlineData(nameof(SandboxOptions.Timeout))]
    [InlineData(nameof(SandboxOptions.MaxStatements))]
    [InlineData(nameof(SandboxOptions.MaxMemoryBytes))]
    [InlineData(nameof(SandboxOptions.MaxRecursionDepth))]
    [InlineData(nameof(SandboxOptions.MaxConcurrentRuns))]
    public void Options_OutOfRange_NameTheProperty(string property)
    {
        var options = new SandboxOptions();
        typeof(SandboxOptions).GetProperty(property)!.SetValue(options, property == nameof(SandboxOptions.Timeout) ? TimeSpan.Zero : property == nameof(SandboxOptions.MaxMemoryBytes) ? 0L : (object)0);

        var error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(property, error.ParamName);
    }
}
