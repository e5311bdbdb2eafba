using AgentKit.Sandbox;

namespace AgentKit.Sandbox.Tests;

/// <summary>
/// Hostile JavaScript, one test per class of attack: each program is stopped within its limit with an error naming
/// the limit (or fails as a plain script error), the host keeps running, and the next program runs normally.
/// </summary>
public sealed class HostileProgramTests
{
    // Tight limits, so every attack is stopped quickly even on a loaded machine.
    private static readonly SandboxOptions Limits = new()
    {
        Timeout = TimeSpan.FromSeconds(2),
        MaxStatements = 200_000,
        MaxMemoryBytes = 16L * 1024 * 1024,
        MaxRecursionDepth = 100,
        MaxArrayLength = 100_000,
        MaxOutputChars = 1_000,
        MaxResultChars = 1_000,
    };

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("while (true) {}")]
    [InlineData("for (;;) { let x = 1; }")]
    [InlineData("do {} while (true)")]
    [InlineData("const f = () => { for (;;) {} }; f()")]
    public async Task InfiniteLoop_IsStoppedByTheStatementLimit(string code)
    {
        var error = await LimitAsync(code);

        Assert.Equal(SandboxLimit.Statements, error.Limit);
        Assert.Contains("MaxStatements", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfiniteLoop_WithStatementsUnlimited_IsStoppedByTheWallTime()
    {
        var error = await LimitAsync("while (true) {}", Limits with { MaxStatements = int.MaxValue, Timeout = TimeSpan.FromMilliseconds(300) });

        Assert.Equal(SandboxLimit.WallTime, error.Limit);
        Assert.Contains("Timeout", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("function f() { return f(); } f()")]
    [InlineData("function f(n) { return 1 + f(n + 1); } f(0)")]
    [InlineData("const o = { get x() { return this.x; } }; o.x")]
    [InlineData("class A { constructor() { new A(); } } new A()")]
    [InlineData("function f() { try { f(); } catch (e) { f(); } } f()")]
    public async Task DeepRecursion_IsStoppedByTheRecursionLimit(string code)
    {
        var error = await LimitAsync(code);

        Assert.Equal(SandboxLimit.RecursionDepth, error.Limit);
        Assert.Contains("MaxRecursionDepth", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("const a = []; while (true) a.push({ x: a.length, s: 'some text ' + a.length });")]
    [InlineData("let s = 'x'; while (true) s = s + s + 'y';")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) s += s; s.indexOf('z')")]
    [InlineData("'x'.repeat(1 << 28)")]
    [InlineData("const chunks = []; for (;;) chunks.push(new Array(50000).fill(1.5));")]
    [InlineData("JSON.stringify(new Array(100000).fill('x'.repeat(1000)))")]
    public async Task HugeAllocation_IsStoppedByAMemoryLimit(string code)
    {
        // The memory limit is under test, not the clock: on a loaded machine 2 s can pass before 16 MiB is reached.
        var error = await LimitAsync(code, Limits with { Timeout = TimeSpan.FromSeconds(15) });

        Assert.True(error.Limit is SandboxLimit.Memory or SandboxLimit.ArrayLength, $"{error.Limit}: {error.Message}");
    }

    [Theory]
    [InlineData("new Array(2 ** 31).fill(0)")]
    [InlineData("const a = []; a[99999999] = 1; a.fill(0)")]
    [InlineData("Array.from({ length: 1e9 })")]
    [InlineData("new ArrayBuffer(2 ** 31)")]
    public async Task HugeArray_IsStoppedByTheArrayOrMemoryLimit(string code)
    {
        var error = await Record.ExceptionAsync(() => RunAsync(code));

        // A RangeError the program could have caught is as good as a limit: nothing was allocated.
        Assert.True(
            error is SandboxLimitExceededException { Limit: SandboxLimit.ArrayLength or SandboxLimit.Memory or SandboxLimit.Statements }
            || error is SandboxScriptException { Kind: SandboxErrorKind.Uncaught } script && script.Message.StartsWith("RangeError", StringComparison.Ordinal),
            error?.ToString() ?? "no error");
        await HostStillWorksAsync();
    }

    [Theory]
    [InlineData("while (true) console.log('spam spam spam');")]
    [InlineData("console.log('x'.repeat(5000))")]
    [InlineData("for (let i = 0; i < 1e6; i++) print(i)")]
    public async Task HugeOutput_IsStoppedByTheOutputLimit_KeepingWhatFits(string code)
    {
        var error = await LimitAsync(code);

        Assert.Equal(SandboxLimit.Output, error.Limit);
        Assert.InRange(error.Output.Length, 1, Limits.MaxOutputChars);
        Assert.Contains("MaxOutputChars", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HugeResult_IsStoppedByTheResultLimit()
    {
        var error = await LimitAsync("Array.from({ length: 5000 }, (_, i) => i)");

        Assert.Equal(SandboxLimit.Result, error.Limit);
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO').File.ReadAllText('/etc/passwd')")]
    [InlineData("clrHelper.typeOf('System.Environment')")]
    [InlineData("require('fs').readFileSync('/etc/passwd')")]
    [InlineData("process.env.HOME")]
    [InlineData("fetch('http://127.0.0.1/')")]
    [InlineData("new XMLHttpRequest()")]
    [InlineData("setTimeout(() => {}, 0)")]
    [InlineData("console.log.constructor.constructor('return importNamespace')()")]
    [InlineData("console.log.getType()")]
    [InlineData("Math.random.GetType().Assembly")]
    [InlineData("Object.getOwnPropertyNames(console.log).map(n => console.log[n]).find(v => v && v.GetType)()")]
    public async Task ClrAndHostAccess_IsNotThere(string code)
    {
        var error = await Assert.ThrowsAsync<SandboxScriptException>(() => RunAsync(code));

        Assert.Equal(SandboxErrorKind.Uncaught, error.Kind);
        Assert.Matches("^(ReferenceError|TypeError|EvalError)", error.Message);
        await HostStillWorksAsync();
    }

    [Fact]
    public async Task GlobalObject_HoldsOnlyTheBuiltInsAndTheSandboxGlobals()
    {
        var result = await RunAsync("Object.getOwnPropertyNames(globalThis).filter(n => !/^[A-Z]/.test(n)).sort().join(',')");

        Assert.Equal(
            "\"console,decodeURI,decodeURIComponent,encodeURI,encodeURIComponent,escape,eval,globalThis,input,isFinite,isNaN,parseFloat,parseInt,print,toString,undefined,unescape\"",
            result.Result);
    }

    [Theory]
    [InlineData("(function () { return this; })()")]
    [InlineData("(0, eval)('this')")]
    [InlineData("Function('return this')()")]
    [InlineData("[].constructor.constructor('return this')()")]
    [InlineData("(() => {}).constructor('return globalThis')()")]
    [InlineData("Object.getPrototypeOf(async function () {}).constructor('return this')()")]
    public async Task GlobalThisTricks_GiveNothing(string code)
    {
        var error = await Record.ExceptionAsync(() => RunAsync(code));

        // Strict mode leaves `this` undefined; string compilation is off, so eval and the Function constructors refuse.
        Assert.True(error is SandboxScriptException { Kind: SandboxErrorKind.Uncaught } || error is null, error?.ToString());
        if (error is SandboxScriptException script)
        {
            Assert.Matches("^(EvalError|TypeError)", script.Message);
        }
    }

    [Fact]
    public async Task StringCompilation_WhenAllowed_ReachesOnlyTheSameSandbox()
    {
        var options = Limits with { AllowStringCompilation = true };

        var global = await RunAsync("Object.keys(Function('return globalThis')()).sort().join(',')", options);
        var looping = await LimitAsync("eval('while (true) {}')", options);

        Assert.Equal("\"console,input,print\"", global.Result);
        Assert.Equal(SandboxLimit.Statements, looping.Limit);
    }

    [Fact]
    public async Task PrototypePollution_DoesNotOutliveTheRun()
    {
        await RunAsync("Object.prototype.polluted = 'yes'; Array.prototype.map = () => 'hijacked'; Math.random = () => 4; JSON.stringify = () => 'owned'; globalThis.leak = 1;");

        var next = await RunAsync("[({}).polluted, [1].map(x => x + 1)[0], typeof leak, Math.random() < 1]");

        Assert.Equal("[null,2,\"undefined\",true]", next.Result);
    }

    [Fact]
    public async Task PrototypeTricks_OnTheHostFunctions_StayInsideTheRun()
    {
        await RunAsync("console.log = () => { throw 1; }; Object.setPrototypeOf(console, null); Function.prototype.call = null;");

        var next = await RunAsync("console.log('fine')");

        Assert.Equal("fine\n", next.Output);
    }

    [Theory]
    [InlineData("try { while (true) {} } catch (e) { console.log('caught'); } finally { console.log('finally'); } 'survived'", SandboxLimit.Statements)]
    [InlineData("function f() { try { return f(); } catch (e) { return 'caught'; } } f()", SandboxLimit.RecursionDepth)]
    [InlineData("const a = []; try { for (;;) a.push('x'.repeat(1000)); } catch (e) { 'caught' }", SandboxLimit.Memory)]
    [InlineData("try { for (;;) console.log('spam'); } catch (e) { 'caught' }", SandboxLimit.Output)]
    [InlineData("let n = 0; for (;;) { try { while (true) {} } catch { n++; } }", SandboxLimit.Statements)]
    public async Task LimitException_CannotBeCaughtByTheScript(string code, SandboxLimit limit)
    {
        var error = await LimitAsync(code);

        Assert.Equal(limit, error.Limit);
        Assert.DoesNotContain("caught", error.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("finally", error.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/(a+)+$/.test('a'.repeat(40) + 'b')")]
    [InlineData("/(x+x+)+y/.exec('x'.repeat(5000))")]
    [InlineData("'a'.repeat(40).concat('!').replace(/^(a|aa)+$/, '')")]
    public async Task CatastrophicBacktracking_IsStoppedByTheRegexTimeout(string code)
    {
        var error = await LimitAsync(code, Limits with { Timeout = TimeSpan.FromMilliseconds(500), MaxStatements = int.MaxValue });

        Assert.Equal(SandboxLimit.WallTime, error.Limit);
    }

    [Theory]
    [InlineData("(async () => { while (true) await null; })()")]
    [InlineData("function f() { Promise.resolve().then(f); } f()")]
    [InlineData("(async () => { for (;;) { await new Promise(r => r()); } })()")]
    [InlineData("Promise.all(Array.from({ length: 50 }, async () => { for (;;) await 0; }))")]
    public async Task PromiseAndAsyncTricks_AreStoppedByALimit(string code)
    {
        var error = await LimitAsync(code);

        // Each job is short, so which limit a job loop meets first (statements, time, the memory its promises take) depends on the loop.
        Assert.True(error.Limit is SandboxLimit.Statements or SandboxLimit.WallTime or SandboxLimit.Memory, $"{error.Limit}: {error.Message}");
    }

    [Theory]
    [InlineData("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)")]
    [InlineData("import('fs')")]
    [InlineData("new Promise(() => {})")]
    [InlineData("Promise.reject(new Error('unhandled'))")]
    public async Task BlockingAndModuleTricks_FailAsScriptErrors(string code)
    {
        var error = await Record.ExceptionAsync(() => RunAsync(code));

        Assert.True(error is SandboxScriptException or SandboxLimitExceededException, error?.ToString() ?? "no error");
        await HostStillWorksAsync();
    }

    [Theory]
    [InlineData(100_000, '(')]
    [InlineData(100_000, '[')]
    [InlineData(50_000, '{')]
    public async Task DeeplyNestedSource_IsRefusedWithoutCrashingTheParser(int depth, char open)
    {
        var code = new string(open, depth);
        var error = await Record.ExceptionAsync(() => RunAsync(code, Limits with { MaxCodeChars = depth + 1 }));

        Assert.True(error is SandboxScriptException or SandboxLimitExceededException, error?.ToString() ?? "no error");
        await HostStillWorksAsync();
    }

    [Fact]
    public async Task ManyHostilePrograms_AtOnce_AllStopAndTheHostStillWorks()
    {
        using var sandbox = new JavaScriptSandbox(Limits with { MaxConcurrentRuns = 2, QueueTimeout = TimeSpan.FromSeconds(30) });
        string[] programs = ["while (true) {}", "function f() { return f(); } f()", "let s = 'x'; while (true) s += s;", "for (;;) console.log(1)"];

        var errors = await Task.WhenAll(programs.Select(p => Assert.ThrowsAsync<SandboxLimitExceededException>(() => sandbox.RunAsync(new SandboxRequest(p), Token))))
            .WaitAsync(Bound * 2, Token);

        Assert.Equal([SandboxLimit.Statements, SandboxLimit.RecursionDepth, SandboxLimit.Memory, SandboxLimit.Output], errors.Select(e => e.Limit));
        Assert.Equal("3", (await sandbox.RunAsync(new SandboxRequest("1 + 2"), Token)).Result);
    }

    private static async Task<SandboxResult> RunAsync(string code, SandboxOptions? options = null)
    {
        using var sandbox = new JavaScriptSandbox(options ?? Limits);
        return await sandbox.RunAsync(new SandboxRequest(code), Token).WaitAsync(Bound, Token);
    }

    private static async Task<SandboxLimitExceededException> LimitAsync(string code, SandboxOptions? options = null)
    {
        var error = await Assert.ThrowsAsync<SandboxLimitExceededException>(() => RunAsync(code, options));
        await HostStillWorksAsync();
        return error;
    }

    private static async Task HostStillWorksAsync() =>
        Assert.Equal("\"ok\"", (await RunAsync("['o', 'k'].join('')")).Result);
}
