namespace AgentKit.Abstractions.Diagnostics;

/// <summary>
/// Attribute (tag) names on AgentKit's spans and metrics: the OpenTelemetry GenAI semantic conventions' <c>gen_ai.*</c>
/// names where one exists, <c>agentkit.*</c> otherwise.
/// </summary>
public static class TelemetryAttributes
{
    /// <summary><c>gen_ai.operation.name</c>: <c>invoke_agent</c>, <c>chat</c>, <c>execute_tool</c>.</summary>
    public const string OperationName = "gen_ai.operation.name";

    /// <summary><c>gen_ai.agent.name</c>: the agent's name.</summary>
    public const string AgentName = "gen_ai.agent.name";

    /// <summary><c>gen_ai.conversation.id</c>: the session id.</summary>
    public const string ConversationId = "gen_ai.conversation.id";

    /// <summary><c>gen_ai.request.model</c>: the model asked for.</summary>
    public const string RequestModel = "gen_ai.request.model";

    /// <summary><c>gen_ai.response.model</c>: the model that answered.</summary>
    public const string ResponseModel = "gen_ai.response.model";

    /// <summary><c>gen_ai.usage.input_tokens</c>.</summary>
    public const string InputTokens = "gen_ai.usage.input_tokens";

    /// <summary><c>gen_ai.usage.output_tokens</c>.</summary>
    public const string OutputTokens = "gen_ai.usage.output_tokens";

    /// <summary><c>gen_ai.response.finish_reasons</c>: an array of finish reasons.</summary>
    public const string FinishReasons = "gen_ai.response.finish_reasons";

    /// <summary><c>gen_ai.response.time_to_first_chunk</c>: seconds from the request to the first streamed chunk.</summary>
    public const string TimeToFirstChunk = "gen_ai.response.time_to_first_chunk";

    /// <summary><c>gen_ai.tool.name</c>.</summary>
    public const string ToolName = "gen_ai.tool.name";

    /// <summary><c>gen_ai.tool.call.id</c>.</summary>
    public const string ToolCallId = "gen_ai.tool.call.id";

    /// <summary><c>gen_ai.tool.call.arguments</c>: the call's arguments as JSON (sensitive data only).</summary>
    public const string ToolCallArguments = "gen_ai.tool.call.arguments";

    /// <summary><c>gen_ai.tool.call.result</c>: the text the model got back (sensitive data only).</summary>
    public const string ToolCallResult = "gen_ai.tool.call.result";

    /// <summary><c>gen_ai.input.messages</c>: the input messages as JSON (sensitive data only).</summary>
    public const string InputMessages = "gen_ai.input.messages";

    /// <summary><c>gen_ai.output.messages</c>: the output messages as JSON (sensitive data only).</summary>
    public const string OutputMessages = "gen_ai.output.messages";

    /// <summary><c>gen_ai.data_source.id</c>: the vector store collection a retrieval searched.</summary>
    public const string DataSourceId = "gen_ai.data_source.id";

    /// <summary><c>gen_ai.token.type</c> on token metrics: <c>input</c> or <c>output</c>.</summary>
    public const string TokenType = "gen_ai.token.type";

    /// <summary><c>error.type</c>: the exception type or outcome of a failed operation.</summary>
    public const string ErrorType = "error.type";

    /// <summary><c>agentkit.session.id</c>.</summary>
    public const string SessionId = "agentkit.session.id";

    /// <summary><c>agentkit.run.id</c>.</summary>
    public const string RunId = "agentkit.run.id";

    /// <summary><c>agentkit.run.outcome</c>: an <c>AgentRunOutcome</c>.</summary>
    public const string RunOutcome = "agentkit.run.outcome";

    /// <summary><c>agentkit.run.steps</c>: model calls a run made.</summary>
    public const string RunSteps = "agentkit.run.steps";

    /// <summary><c>agentkit.run.tool_calls</c>: tool calls a run made.</summary>
    public const string RunToolCalls = "agentkit.run.tool_calls";

    /// <summary><c>agentkit.tool.status</c>: a <c>ToolCallStatus</c> (the tool call's outcome).</summary>
    public const string ToolStatus = "agentkit.tool.status";

    /// <summary><c>agentkit.rag.mode</c>: vector, keyword or hybrid.</summary>
    public const string RagMode = "agentkit.rag.mode";

    /// <summary><c>agentkit.rag.top</c>: most chunks asked for.</summary>
    public const string RagTop = "agentkit.rag.top";

    /// <summary><c>agentkit.rag.candidates</c>: first-stage candidates before re-ranking and MMR.</summary>
    public const string RagCandidates = "agentkit.rag.candidates";

    /// <summary><c>agentkit.rag.hits</c>: chunks returned.</summary>
    public const string RagHits = "agentkit.rag.hits";

    /// <summary><c>agentkit.rag.rerank</c>: whether a re-ranker re-scored the candidates.</summary>
    public const string RagRerank = "agentkit.rag.rerank";

    /// <summary><c>agentkit.planner.strategy</c>: a planner name (<c>chain-of-thought</c>, <c>react</c>, …).</summary>
    public const string PlannerStrategy = "agentkit.planner.strategy";

    /// <summary><c>agentkit.planner.outcome</c>: a <c>PlanningOutcome</c>.</summary>
    public const string PlannerOutcome = "agentkit.planner.outcome";

    /// <summary><c>agentkit.planner.step.kind</c>: a <c>TraceStepKind</c>.</summary>
    public const string PlannerStepKind = "agentkit.planner.step.kind";

    /// <summary><c>agentkit.planner.step.name</c>: the prompt, tool or decision label.</summary>
    public const string PlannerStepName = "agentkit.planner.step.name";

    /// <summary><c>agentkit.planner.branch</c>: the index of a path, sample or sibling among the run's fanned-out completions (numbered across waves; a batch gives its first).</summary>
    public const string PlannerBranch = "agentkit.planner.branch";

    /// <summary><c>agentkit.planner.score</c>: the score of a step (state value, vote share, tool success).</summary>
    public const string PlannerScore = "agentkit.planner.score";

    /// <summary><c>agentkit.planner.model_calls</c>: model calls a planner run made.</summary>
    public const string PlannerModelCalls = "agentkit.planner.model_calls";

    /// <summary><c>agentkit.memory.agent_id</c>: whose memories.</summary>
    public const string MemoryAgentId = "agentkit.memory.agent_id";

    /// <summary><c>agentkit.memory.candidates</c>: memories considered by a read.</summary>
    public const string MemoryCandidates = "agentkit.memory.candidates";

    /// <summary><c>agentkit.memory.hits</c>: memories a read returned.</summary>
    public const string MemoryHits = "agentkit.memory.hits";

    /// <summary><c>agentkit.memory.operation</c> on the write metric: add, update, delete, noop, evict.</summary>
    public const string MemoryOperation = "agentkit.memory.operation";

    /// <summary><c>agentkit.memory.added</c>, <c>.updated</c>, <c>.deleted</c>: what a write changed.</summary>
    public const string MemoryAdded = "agentkit.memory.added";

    /// <summary><c>agentkit.memory.updated</c>.</summary>
    public const string MemoryUpdated = "agentkit.memory.updated";

    /// <summary><c>agentkit.memory.deleted</c>.</summary>
    public const string MemoryDeleted = "agentkit.memory.deleted";

    /// <summary><c>agentkit.memory.insights</c>: insights a reflection stored.</summary>
    public const string MemoryInsights = "agentkit.memory.insights";

    /// <summary><c>agentkit.llama.model</c>: the local model's id.</summary>
    public const string LlamaModel = "agentkit.llama.model";

    /// <summary><c>agentkit.server.reason</c>: why the HTTP API rejected a request (unauthorized, too_large, concurrency).</summary>
    public const string ServerRejectReason = "agentkit.server.reason";

    /// <summary><c>http.route</c>: the endpoint's route pattern.</summary>
    public const string HttpRoute = "http.route";
}
