using System.Text.Json;
using AgentKit.Abstractions.Tools;
using AgentKit.Agents.Tools;
using AgentKit.Hostile.Tests.Json;
using AgentKit.Testing;
using Microsoft.Extensions.AI;

namespace AgentKit.Hostile.Tests.Agents;

/// <summary>
/// Tool arguments of the wrong types, missing, extra, absurdly long or nested tens of thousands deep, through the
/// AgentKit tool pipeline (<c>UseAgentKitTools</c> on <see cref="FunctionInvokingChatClient"/>) with a scripted model:
/// the tool never runs on bad arguments, the model gets the pipeline's "invalid arguments" error naming the argument,
/// and nothing escapes as an exception.
/// </summary>
public sealed class ToolArgumentHostileTests
{
    private static readonly ChatMessage[] Question = [new(ChatRole.User, "go")];

    private static ChatResponse Call(IDictionary<string, object?> arguments) =>
        new(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "refund", arguments)])) { FinishReason = ChatFinishReason.ToolCalls };

    private static JsonElement Element(string json) => DeepJson.Parse(json);

    public static TheoryData<string, Dictionary<string, object?>, string> BadArguments => new()
    {
        { "string for int", new() { ["orderId"] = "four hundred", ["amount"] = 10.5, ["reason"] = "late" }, "#/orderId" },
        { "JSON string for int", new() { ["orderId"] = Element("\"455\""), ["amount"] = 10.5, ["reason"] = "late" }, "#/orderId" },
        { "float for int", new() { ["orderId"] = Element("455.5"), ["amount"] = 10.5, ["reason"] = "late" }, "#/orderId" },
        { "array for number", new() { ["orderId"] = 455, ["amount"] = Element("[1,2]"), ["reason"] = "late" }, "#/amount" },
        { "object for string", new() { ["orderId"] = 455, ["amount"] = 1, ["reason"] = Element("""{"text":"late"}""") }, "#/reason" },
        { "null for int", new() { ["orderId"] = null, ["amount"] = 1, ["reason"] = "late" }, "#/orderId" },
        { "bool for number", new() { ["orderId"] = 455, ["amount"] = true, ["reason"] = "late" }, "#/amount" },
        { "missing required", new() { ["amount"] = 1, ["reason"] = "late" }, "orderId" },
        { "nested 50,000 deep", new() { ["orderId"] = 455, ["amount"] = 1, ["reason"] = Element(DeepJson.Arrays(50_000)) }, "could not be checked" },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public async Task WrongArguments_ToolDoesNotRun_ModelGetsTheArgumentNamed(string name, Dictionary<string, object?> arguments, string named)
    {
        var ran = 0;
        var tool = AIFunctionFactory.Create((int orderId, double amount, string reason) => ++ran, "refund");
        var model = new ScriptedChatClient().Enqueue(Call(arguments)).Enqueue("sorry");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        ChatResponse? response = null;
        var error = await Bounded.CatchAsync(
            () => response = client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }, TestContext.Current.CancellationToken).GetAwaiter().GetResult(), name);

        Assert.Null(error);
        Assert.Equal(0, ran);
        var result = Assert.Single(response!.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string;
        Assert.StartsWith("Error: invalid arguments for tool 'refund'", result, StringComparison.Ordinal);
        Assert.Contains(named, result, StringComparison.Ordinal);
    }

    /// <summary>
    /// 1e400 is valid JSON but beyond any .NET number: the schema check refuses it as invalid arguments naming the
    /// parameter, and the tool body never runs.
    /// </summary>
    [Fact]
    public async Task NumberBeyondDoubleRange_IsInvalidArguments_ToolDoesNotRun()
    {
        var ran = 0;
        var tool = AIFunctionFactory.Create((int orderId, double amount, string reason) => ++ran, "refund");
        var model = new ScriptedChatClient().Enqueue(Call(new Dictionary<string, object?> { ["orderId"] = Element("1e400"), ["amount"] = 1, ["reason"] = "late" })).Enqueue("sorry");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);

        Assert.Equal(0, ran);
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string;
        Assert.StartsWith("Error: invalid arguments for tool 'refund'", result, StringComparison.Ordinal);
        Assert.True(result!.Contains("#/orderId: ", StringComparison.Ordinal), result);
    }

    /// <summary>
    /// 1e20 is an integer by the schema's letter (the generated schema of an <c>int</c> has no bounds), so the schema
    /// passes it; the pipeline checks numbers against the .NET parameter type too, so the model gets "invalid arguments"
    /// naming the argument and the type's range, and the tool body never runs.
    /// </summary>
    [Fact]
    public async Task IntegerBeyondTheParameterType_IsInvalidArguments_ToolDoesNotRun()
    {
        var ran = 0;
        var tool = AIFunctionFactory.Create((int orderId, double amount, string reason) => ++ran, "refund");
        var model = new ScriptedChatClient().Enqueue(Call(new Dictionary<string, object?> { ["orderId"] = Element("1e20"), ["amount"] = 1, ["reason"] = "late" })).Enqueue("sorry");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);

        Assert.Equal(0, ran);
        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string;
        Assert.StartsWith("Error: invalid arguments for tool 'refund'", result, StringComparison.Ordinal);
        Assert.Contains("#/orderId: 1e20 is outside the range of the parameter's type Int32 (-2147483648 to 2147483647)", result, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, bool> NumbersAgainstParameterTypes => new()
    {
        { "byte", "300", false },
        { "byte", "255", true },
        { "uint", "-1", false },
        { "long", "9223372036854775808", false },
        { "long", "9223372036854775807", true },
        { "float", "1e300", false },
        { "float", "3.4e38", true },
        { "decimal", "1e30", false },
        { "int?", "-2147483649", false },
    };

    /// <summary>Each integer and floating type's own range decides, nullable parameters included; values inside it run the tool.</summary>
    [Theory]
    [MemberData(nameof(NumbersAgainstParameterTypes))]
    public async Task NumberArgument_CheckedAgainstItsParameterType(string type, string json, bool runs)
    {
        var ran = 0;
        AIFunction tool = type switch
        {
            "byte" => AIFunctionFactory.Create((byte value) => ++ran, "set"),
            "uint" => AIFunctionFactory.Create((uint value) => ++ran, "set"),
            "long" => AIFunctionFactory.Create((long value) => ++ran, "set"),
            "float" => AIFunctionFactory.Create((float value) => ++ran, "set"),
            "decimal" => AIFunctionFactory.Create((decimal value) => ++ran, "set"),
            "int?" => AIFunctionFactory.Create((int? value) => ++ran, "set"),
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
        var call = new ChatResponse(new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("call_1", "set", new Dictionary<string, object?> { ["value"] = Element(json) })])) { FinishReason = ChatFinishReason.ToolCalls };
        var model = new ScriptedChatClient().Enqueue(call).Enqueue("done");
        using var client = new ChatClientBuilder(model).UseAgentKitTools().Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);

        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result;
        Assert.Equal(runs ? 1 : 0, ran);
        if (!runs)
        {
            Assert.StartsWith($"Error: invalid arguments for tool 'set': #/value: {json} is outside the range of the parameter's type", result as string, StringComparison.Ordinal);
        }
    }

    /// <summary>A 5 MB string argument where a string is expected: valid, so the tool runs and the result cap bounds what goes back.</summary>
    [Fact]
    public async Task HugeStringArgument_ToolRuns_ResultIsCapped()
    {
        var tool = AIFunctionFactory.Create((int orderId, double amount, string reason) => reason, "refund");
        var model = new ScriptedChatClient().Enqueue(Call(new Dictionary<string, object?> { ["orderId"] = 1, ["amount"] = 1.0, ["reason"] = new string('r', 5_000_000) })).Enqueue("ok");
        using var client = new ChatClientBuilder(model).UseAgentKitTools(configure: o => o.MaxResultLength = 1000).Build();

        var response = await client.GetResponseAsync(Question, new ChatOptions { Tools = [tool] }, TestContext.Current.CancellationToken).WaitAsync(Bounded.PerInput, TestContext.Current.CancellationToken);

        var result = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>()).Result as string;
        Assert.InRange(result!.Length, 1, 1200);
    }
}
