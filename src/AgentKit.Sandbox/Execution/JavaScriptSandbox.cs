using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Acornima;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentKit.Sandbox;

/// <summary>
/// Runs JavaScript on Jint, each program in a fresh strict-mode interpreter on its own thread, within
/// <see cref="SandboxOptions"/>' limits. Programs see the ECMAScript built-ins, <c>console.log</c>/<c>print</c> and
/// <c>input</c>, nothing else: no CLR types, no files, network, environment, modules or <c>require</c>.
/// </summary>
public sealed partial class JavaScriptSandbox : IJavaScriptSandbox, IDisposable
{
    // A fixed stack, so the recursion limit and Jint's stack guard hold whatever thread the caller is on.
    private const int StackBytes = 16 * 1024 * 1024;
    private const string SourceName = "program.js";
    private const string Section = SandboxOptions.SectionName;

    private readonly SandboxOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ILogger _logger;

    /// <summary>Creates the sandbox.</summary>
    /// <param name="options">The limits.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentOutOfRangeException">A limit is out of range.</exception>
    public JavaScriptSandbox(IOptions<SandboxOptions> options, ILogger<JavaScriptSandbox>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _options.Validate();
        _slots = new SemaphoreSlim(_options.MaxConcurrentRuns, _options.MaxConcurrentRuns);
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Creates the sandbox with the given limits (default: <see cref="SandboxOptions"/>' defaults).</summary>
    /// <param name="options">The limits.</param>
    public JavaScriptSandbox(SandboxOptions? options = null)
        : this(Microsoft.Extensions.Options.Options.Create(options ?? new SandboxOptions()))
    {
    }

    /// <inheritdoc/>
    public async Task<SandboxResult> RunAsync(SandboxRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Code.Length > _options.MaxCodeChars)
        {
            throw new SandboxLimitExceededException(SandboxLimit.CodeSize, $"The program has {request.Code.Length} characters; at most {_options.MaxCodeChars} are accepted ({Section}:MaxCodeChars).");
        }

        var input = request.Input?.GetRawText();
        if (input?.Length > _options.MaxInputChars)
        {
            throw new SandboxLimitExceededException(SandboxLimit.InputSize, $"The input has {input.Length} characters of JSON; at most {_options.MaxInputChars} are accepted ({Section}:MaxInputChars).");
        }

        if (!await _slots.WaitAsync(_options.QueueTimeout, cancellationToken).ConfigureAwait(false))
        {
            throw new SandboxLimitExceededException(SandboxLimit.Concurrency, $"{_options.MaxConcurrentRuns} programs were running for all of {_options.QueueTimeout.TotalSeconds:0.###} s ({Section}:MaxConcurrentRuns, {Section}:QueueTimeout); try again later.");
        }

        try
        {
            var completion = new TaskCompletionSource<SandboxResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var thread = new Thread(
                () =>
                {
                    try
                    {
                        completion.SetResult(Execute(request, input, cancellationToken));
                    }
                    catch (Exception e)
                    {
                        completion.SetException(e);
                    }
                },
                StackBytes)
            {
                IsBackground = true,
                Name = "AgentKit sandbox",
            };
            thread.Start();
            return await completion.Task.ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _slots.Dispose();

    private SandboxResult Execute(SandboxRequest request, string? input, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var output = new OutputBuffer(_options.MaxOutputChars);
        try
        {
            // Parsed apart from running, so a syntax error is told from a SyntaxError the program raised (eval, JSON.parse).
            var script = Engine.PrepareScript(request.Code, SourceName, strict: true);
            using var engine = CreateEngine(cancellationToken);
            AddGlobals(engine, output, input, request.RandomSeed ?? _options.RandomSeed);
            var value = engine.Evaluate(script);

            // Promise jobs have run by now and nothing (no timer, no I/O) is left to settle a pending promise: a
            // settled one unwraps at once, a pending one is told by the short wait running out.
            using (var settled = new CancellationTokenSource(TimeSpan.FromMilliseconds(20)))
            {
                try
                {
                    value = value.UnwrapIfPromise(settled.Token);
                }
                catch (OperationCanceledException) when (settled.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw new SandboxScriptException(SandboxErrorKind.Uncaught, "The program's result is a promise that never settles: nothing is left to run that could settle it.", output.ToString());
                }
            }

            // A single built-in call (String.prototype.repeat, a typed array) allocates before any statement checks
            // the memory limit; check it before the result is read.
            engine.Constraints.Check();
            var result = ToJson(engine, value);
            var elapsed = Stopwatch.GetElapsedTime(started);
            LogCompleted(_logger, elapsed.TotalMilliseconds);
            return new SandboxResult { Output = output.ToString(), Result = result, Elapsed = elapsed };
        }
        catch (Exception e) when (Translate(e, output.ToString(), cancellationToken) is { } translated)
        {
            var failedAfter = Stopwatch.GetElapsedTime(started);
            LogFailed(_logger, failedAfter.TotalMilliseconds, translated);
            throw translated;
        }
    }

    private Engine CreateEngine(CancellationToken cancellationToken) => new(o =>
    {
        o.Strict();
        o.TimeoutInterval(_options.Timeout);
        o.MaxStatements(_options.MaxStatements);
        o.LimitMemory(_options.MaxMemoryBytes);
        o.LimitRecursion(_options.MaxRecursionDepth);
        o.CancellationToken(cancellationToken);
        o.Constraints.MaxArraySize = (uint)_options.MaxArrayLength;
        o.Constraints.RegexTimeout = _options.Timeout;
        o.Constraints.PromiseTimeout = _options.Timeout;
        o.Constraints.StackOverflowGuard = true;
        o.DisableStringCompilation(!_options.AllowStringCompilation);
        o.Interop.Enabled = false;
        o.AgentCanSuspend = false;
        o.Culture = CultureInfo.InvariantCulture;
        o.TimeZone = TimeZoneInfo.Utc;
    });

    private void AddGlobals(Engine engine, OutputBuffer output, string? input, int seed)
    {
        // These build a string of a length the caller names in one call, before any statement checks the memory
        // limit: refuse one that could not fit in it up front.
        var maxChars = _options.MaxMemoryBytes / sizeof(char);
        var strings = engine.GetValue("String").AsObject().Get("prototype").AsObject();
        GuardLength(engine, strings, "repeat", (self, arguments) => TypeConverter.ToString(self).Length * TypeConverter.ToNumber(arguments.At(0)), maxChars);
        GuardLength(engine, strings, "padStart", (_, arguments) => TypeConverter.ToNumber(arguments.At(0)), maxChars);
        GuardLength(engine, strings, "padEnd", (_, arguments) => TypeConverter.ToNumber(arguments.At(0)), maxChars);

        var print = new ClrFunction(engine, "log", (_, arguments) =>
        {
            engine.Constraints.Check();
            output.AppendLine(string.Join(' ', arguments.Select(a => Format(engine, a))));
            return JsValue.Undefined;
        });
        var console = new JsObject(engine);
        foreach (var name in new[] { "log", "info", "warn", "error", "debug" })
        {
            console.Set(name, print);
        }

        engine.SetValue("console", console);
        engine.SetValue("print", print);
        engine.SetValue("input", input is null ? JsValue.Undefined : new JsonParser(engine).Parse(input));

        // Seeded, so a program's output is a function of its source and input.
        var random = new Random(seed);
        engine.GetValue("Math").AsObject().Set("random", new ClrFunction(engine, "random", (_, _) => random.NextDouble()));
    }

    private static void GuardLength(Engine engine, ObjectInstance prototype, string name, Func<JsValue, JsValue[], double> length, long maxChars)
    {
        var original = prototype.Get(name);
        prototype.Set(name, new ClrFunction(engine, name, (self, arguments) =>
            length(self, arguments) <= maxChars
                ? engine.Call(original, self, arguments)
                : throw new SandboxLimitExceededException(SandboxLimit.Memory, $"String.prototype.{name} was asked for a string longer than {maxChars} characters, more than the program may allocate ({Section}:MaxMemoryBytes).")));
    }

    /// <summary>Strings as they are, objects as JSON (as a reader of the output expects), the rest as JavaScript's String() would.</summary>
    private static string Format(Engine engine, JsValue value)
    {
        if (value.IsString())
        {
            return value.AsString();
        }

        if (value.IsObject() && !value.IsRegExp() && !value.IsDate() && value is not Jint.Native.Function.Function)
        {
            var json = new JsonSerializer(engine).Serialize(value);
            if (!json.IsUndefined())
            {
                return json.AsString();
            }
        }

        return TypeConverter.ToString(value);
    }

    private string? ToJson(Engine engine, JsValue value)
    {
        if (value.IsUndefined() || value is Jint.Native.Function.Function)
        {
            return null;
        }

        var json = new JsonSerializer(engine).Serialize(value);
        if (json.IsUndefined())
        {
            return null;
        }

        var text = json.AsString();
        return text.Length <= _options.MaxResultChars
            ? text
            : throw new SandboxLimitExceededException(SandboxLimit.Result, $"The program's result is {text.Length} characters of JSON; at most {_options.MaxResultChars} are returned ({Section}:MaxResultChars). Return less, or a summary.");
    }

    /// <summary>The typed exception for what the interpreter threw; null for the caller's own cancellation and anything unforeseen.</summary>
    private Exception? Translate(Exception e, string output, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested && e is OperationCanceledException or ExecutionCanceledException)
        {
            return new OperationCanceledException("The sandboxed program was cancelled.", e, cancellationToken);
        }

        if (e is ScriptPreparationException { InnerException: { } cause })
        {
            return cause is InsufficientExecutionStackException
                ? new SandboxScriptException(SandboxErrorKind.Syntax, "SyntaxError: the source nests too deeply to parse.", output, e)
                : Translate(cause, output, cancellationToken);
        }

        return e switch
        {
            SandboxLimitExceededException limit => limit.Output.Length > 0 ? limit : new SandboxLimitExceededException(limit.Limit, limit.Message, output, limit.InnerException),
            RegexMatchTimeoutException => Limit(SandboxLimit.WallTime, $"A regular expression ran longer than {_options.Timeout.TotalSeconds:0.###} s ({Section}:Timeout): its pattern backtracks catastrophically on this input."),
            TimeoutException => Limit(SandboxLimit.WallTime, $"The program ran longer than {_options.Timeout.TotalSeconds:0.###} s ({Section}:Timeout)."),
            StatementsCountOverflowException => Limit(SandboxLimit.Statements, $"The program executed more than {_options.MaxStatements} statements ({Section}:MaxStatements): an endless loop, or too much work."),
            MemoryLimitExceededException or OutOfMemoryException => Limit(SandboxLimit.Memory, $"The program allocated more than {_options.MaxMemoryBytes} bytes ({Section}:MaxMemoryBytes)."),
            RecursionDepthOverflowException or InsufficientExecutionStackException => Limit(SandboxLimit.RecursionDepth, $"The program nested calls deeper than {_options.MaxRecursionDepth} ({Section}:MaxRecursionDepth): endless recursion, or recursion where a loop would do."),
            PromiseRejectedException rejected => new SandboxScriptException(SandboxErrorKind.Uncaught, $"Uncaught (in promise) {rejected.RejectedValue}", output, e),
            InvalidOperationException when e.TargetSite?.DeclaringType?.Assembly == typeof(Engine).Assembly => new SandboxScriptException(SandboxErrorKind.Uncaught, "Modules are not available in the sandbox (no import, no require).", output, e),
            ParseErrorException parse => new SandboxScriptException(SandboxErrorKind.Syntax, $"SyntaxError: {parse.Description} (line {parse.LineNumber}, column {parse.Column})", output, e) { Line = parse.LineNumber, Column = parse.Column },
            JavaScriptException js => new SandboxScriptException(SandboxErrorKind.Uncaught, Describe(js), output, e) { Line = js.Location.Start.Line, Column = js.Location.Start.Column },
            _ => null,
        };

        SandboxLimitExceededException Limit(SandboxLimit limit, string message) => new(limit, message, output, e);
    }

    private static string Describe(JavaScriptException e) =>
        e.Location.Start.Line > 0 ? $"{e.Error}: line {e.Location.Start.Line}, column {e.Location.Start.Column}" : e.Error.ToString();

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandboxed program completed in {ElapsedMs:0.###} ms")]
    private static partial void LogCompleted(ILogger logger, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sandboxed program stopped after {ElapsedMs:0.###} ms")]
    private static partial void LogFailed(ILogger logger, double elapsedMs, Exception exception);
}
