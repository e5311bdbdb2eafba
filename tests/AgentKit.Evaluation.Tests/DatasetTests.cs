using AgentKit.Evaluation.Datasets;
using AgentKit.Evaluation.Expectations;

namespace AgentKit.Evaluation.Tests;

public sealed class DatasetTests
{
    [Fact]
    public void Parse_ReadsEveryField_SkipsBlankAndCommentLines()
    {
        var dataset = Datasets.Of(
            "// a comment",
            "",
            """{"id":"a","group":"policy","split":"train","input":"How long?","expect":[{"type":"contains","value":["30 days"]},{"type":"tools","steps":["search",{"tool":"lookup","args":{"id":1},"optional":true}]}],"x-note":{"k":1}}""",
            """{"id":"b","inputs":{"question":"Q","n":2},"expect":[{"type":"numeric","value":4,"tolerance":0.5},{"type":"json_schema","schema":{"type":"object"}}],"end_state":[{"check":"rma_exists","order":"SB-1"}]}""",
            """{"id":"c","simulator":{"goal":"g","persona":"p","max_turns":3},"end_state":[{"check":"no_label"}]}""");

        Assert.Equal(["a", "b", "c"], dataset.Cases.Select(c => c.Id));
        var a = dataset.Cases[0];
        Assert.Equal("policy", a.Group);
        Assert.Equal("train", a.Split);
        Assert.Equal(["How long?"], a.Turns);
        Assert.IsType<ContainsExpectation>(a.Expectations[0]);
        var tools = Assert.IsType<ToolTrajectoryExpectation>(a.Expectations[1]);
        Assert.True(tools.Steps[1].Optional);
        Assert.Equal(1, a.Extensions["x-note"].GetProperty("k").GetInt32());
        Assert.Equal("test.jsonl:3", a.Source);
        var b = dataset.Cases[1];
        Assert.Equal(2L, b.Inputs["n"]);
        Assert.Equal("SB-1", b.EndState.Single().GetString("order"));
        Assert.Equal(3, dataset.Cases[2].Simulator!.MaxTurns);
        Assert.Equal("default", b.Group);
    }

    [Theory]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"regex","pattern":"("}]}""", "expect[0].pattern")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"contians","value":"x"}]}""", "expect[0].type")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"contains","value":"x","ignorecase":true}]}""", "expect[0].ignorecase")]
    [InlineData("""{"id":"a","input":"x","expct":[]}""", "expct")]
    [InlineData("""{"input":"x","expect":[{"type":"exact","value":"y"}]}""", "id")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"json_schema","schema":{"type":"object","maxlength":3}}]}""", "expect[0].schema")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"judge","metric":"vibes"}]}""", "expect[0].metric")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"judge","metric":"relevance","min":7}]}""", "expect[0].min")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"numeric","value":"4"}]}""", "expect[0].value")]
    [InlineData("""{"id":"a","input":"x","expect":[{"type":"tools","steps":[{"tool":"t","args":[1]}]}]}""", "expect[0].steps[0].args")]
    [InlineData("""{"id":"a","input":"x","end_state":[{"order":"SB-1"}]}""", "end_state[0].check")]
    [InlineData("""{"id":"a","input":"x","turns":["y"],"expect":[{"type":"exact","value":"y"}]}""", "turns")]
    [InlineData("""{"id":"a","simulator":{"goal":"g","persona":"p","max_turns":0},"end_state":[{"check":"c"}]}""", "simulator.max_turns")]
    public void Parse_BadField_NamesFileLineAndField(string line, string field)
    {
        var error = Assert.Throws<EvalDatasetException>(() => Datasets.Of("""{"id":"ok","input":"x","expect":[{"type":"exact","value":"y"}]}""", line));

        Assert.Equal("test.jsonl", error.FilePath);
        Assert.Equal(2, error.Line);
        Assert.Equal(field, error.Field);
        Assert.StartsWith($"test.jsonl:2: {field}: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1]", "JSON object")]
    [InlineData("""{"id":"a","input":"x"}""", "checks nothing")]
    [InlineData("""{"id":"a","expect":[{"type":"exact","value":"y"}]}""", "sends nothing")]
    public void Parse_BadLine_SaysWhatIsWrong(string line, string problem)
    {
        var error = Assert.Throws<EvalDatasetException>(() => Datasets.Of(line));

        Assert.Equal(1, error.Line);
        Assert.Null(error.Field);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateId_NamesTheFirstLine()
    {
        var line = """{"id":"a","input":"x","expect":[{"type":"exact","value":"y"}]}""";

        var error = Assert.Throws<EvalDatasetException>(() => Datasets.Of(line, "", line));

        Assert.Equal(3, error.Line);
        Assert.Equal("id", error.Field);
        Assert.Contains("line 1", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFileOrEmptyDataset_IsATypedError()
    {
        using var folder = new TempFolder();
        Assert.Throws<EvalDatasetException>(() => EvalDataset.Load(folder.File("none.jsonl")));
        File.WriteAllText(folder.File("empty.jsonl"), "\n// nothing\n");
        Assert.Contains("no cases", Assert.Throws<EvalDatasetException>(() => EvalDataset.Load(folder.File("empty.jsonl"))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OverlongLine_IsRefusedWithoutReadingItAll()
    {
        var line = """{"id":"a","input":" """ + new string('x', EvalDataset.MaxLineChars) + "\"}";

        var error = Assert.Throws<EvalDatasetException>(() => Datasets.Of(line));

        Assert.Contains("longer than", error.Problem, StringComparison.Ordinal);
    }
}
