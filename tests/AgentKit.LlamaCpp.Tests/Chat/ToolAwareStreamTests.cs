using AgentKit.LlamaCpp.Chat;
using AgentKit.LlamaCpp.Grammars;
using Microsoft.Extensions.AI;

namespace AgentKit.LlamaCpp.Tests.Chat;

public sealed class ToolAwareStreamTests
{
    private static ToolAwareStream Stream(ChatToolMode mode)
    {
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string city) => city, "weather")], ToolMode = mode };
        return new ToolAwareStream(ToolSet.From(options, ToolCallFormat.Hermes, new JsonSchemaGrammarOptions()));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CallCutOffByTheTokenLimit_IsNeitherTextNorACall(bool required)
    {
        var stream = Stream(required ? ChatToolMode.RequireAny : ChatToolMode.Auto);

        var visible = stream.Push("<tool_call>\n{\"name\": \"weather\", \"argu");
        var (text, calls) = stream.Complete();

        Assert.Equal(string.Empty, visible + text);
        Assert.Empty(calls);
    }

    [Fact]
    public void CompleteCall_IsACall()
    {
        var stream = Stream(ChatToolMode.RequireAny);

        stream.Push("<tool_call>\n{\"name\": \"weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>");
        var (text, calls) = stream.Complete();

        Assert.Equal(string.Empty, text);
        Assert.Equal("weather", Assert.Single(calls).Name);
    }
}
