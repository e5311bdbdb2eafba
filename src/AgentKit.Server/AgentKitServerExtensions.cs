using AgentKit.Abstractions.Tools;
using AgentKit.Agents;
using AgentKit.Agents.Sessions;
using AgentKit.Agents.Tools;
using AgentKit.Server;
using AgentKit.Server.Agents;
using AgentKit.Server.ChatCompletions;
using AgentKit.Server.Http;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Adds AgentKit's HTTP API to an ASP.NET Core application.</summary>
public static class AgentKitServerExtensions
{
    /// <summary>
    /// Registers the HTTP API's services and binds <c>AgentKit:Server</c> (validated at start). Call after
    /// <see cref="AgentKitHostingExtensions.AddAgentKit"/>; map the endpoints with <see cref="MapAgentKit"/>.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="configure">Changes applied after configuration binding.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddAgentKitServer(this IHostApplicationBuilder builder, Action<AgentKitServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = builder.Services.AddOptions<AgentKitServerOptions>().Bind(builder.Configuration.GetSection(AgentKitServerOptions.SectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o => o.MaxRequestBodyBytes is >= 1024 and <= 1L << 30, $"{AgentKitServerOptions.SectionName}:MaxRequestBodyBytes must be between 1024 and 1073741824.")
            .Validate(o => o.MaxOutputTokens is >= 1 and <= 1 << 20, $"{AgentKitServerOptions.SectionName}:MaxOutputTokens must be between 1 and 1048576.")
            .Validate(o => o.MaxMessages is >= 1 and <= 100_000, $"{AgentKitServerOptions.SectionName}:MaxMessages must be between 1 and 100000.")
            .Validate(o => o.MaxConcurrentRunsPerKey is >= 1 and <= 10_000, $"{AgentKitServerOptions.SectionName}:MaxConcurrentRunsPerKey must be between 1 and 10000.")
            .Validate(o => o.MaxRequestsPerWindow is null or (>= 1 and <= 1_000_000), $"{AgentKitServerOptions.SectionName}:MaxRequestsPerWindow must be between 1 and 1000000, or unset for no limit.")
            .Validate(o => o.RequestWindow > TimeSpan.Zero && o.RequestWindow <= TimeSpan.FromDays(1), $"{AgentKitServerOptions.SectionName}:RequestWindow must be between 0 and 1 day.")
            .Validate(o => o.RequestTimeout > TimeSpan.Zero, $"{AgentKitServerOptions.SectionName}:RequestTimeout must be positive.")
            .Validate(o => o.ApiKeys.All(k => k.Length >= 16), $"{AgentKitServerOptions.SectionName}:ApiKeys: every key must be at least 16 characters.")
            .ValidateOnStart();

        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(AgentKitServerDefaults.ApiKeyScheme, null);
        builder.Services.AddAuthorization();
        builder.Services.AddOptions<AuthorizationOptions>()
            .Configure<IOptions<AgentKitServerOptions>>((authorization, server) => authorization.AddPolicy(AgentKitServerDefaults.Policy, AuthorizationPolicy(server.Value)));
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, ApiAuthorizationResultHandler>();
        builder.Services.AddRateLimiter(limiter => limiter.AddPolicy<string, CallerRateLimitPolicy>(AgentKitServerDefaults.Policy));
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>()
            .Configure<IOptions<AgentKitServerOptions>>((timeouts, server) => timeouts.AddPolicy(AgentKitServerDefaults.Policy, TimeoutPolicy(server.Value.RequestTimeout)));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<ApiRequestScope>();
        builder.Services.TryAddSingleton<ChatCompletionsEndpoint>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatTargetSource, AgentChatTargets>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IChatTargetSource, ModelChatTargets>());
        return builder;
    }

    /// <summary>
    /// Adds the middleware the API's policies need, after routing and authorization: the exception handler (problem
    /// details), request timeouts and rate limiting. <see cref="MapAgentKit"/> calls it for a <c>WebApplication</c>;
    /// call it yourself between <c>UseRouting()</c> and <c>UseEndpoints()</c> otherwise. Calling it twice adds nothing.
    /// </summary>
    /// <param name="app">The application's pipeline.</param>
    /// <returns>The pipeline.</returns>
    public static IApplicationBuilder UseAgentKitServer(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Properties.TryAdd(MiddlewareAdded, true))
        {
            app.UseExceptionHandler();
            app.UseRequestTimeouts();
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>
    /// Maps <c>POST /v1/chat/completions</c>, <c>GET /v1/models</c>, <c>/api/agents</c>, <c>/api/sessions</c>
    /// (with server-sent run events), <c>/api/approvals</c> and <c>GET /health</c> (model load state and storage).
    /// Every API endpoint goes through ASP.NET Core's authentication (API keys and
    /// <see cref="AgentKitServerOptions.AuthenticationSchemes"/>), the body-size limit, rate limiting (concurrency per
    /// caller), request timeouts and the exception handler, all under the policy <see cref="AgentKitServerDefaults.Policy"/>.
    /// </summary>
    /// <param name="endpoints">The application's routes.</param>
    /// <returns>The group of API routes, for further conventions.</returns>
    public static RouteGroupBuilder MapAgentKit(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints is IApplicationBuilder app)
        {
            app.UseAgentKitServer();
        }

        var settings = endpoints.ServiceProvider.GetRequiredService<IOptions<AgentKitServerOptions>>().Value;
        var api = endpoints.MapGroup(string.Empty);
        api.WithMetadata(AgentKitApiMetadata.Instance, new RequestSizeLimit(settings.MaxRequestBodyBytes))
            .RequireAuthorization(AgentKitServerDefaults.Policy)
            .RequireRateLimiting(AgentKitServerDefaults.Policy)
            .WithRequestTimeout(AgentKitServerDefaults.Policy)
            .AddEndpointFilter(endpoints.ServiceProvider.GetRequiredService<ApiRequestScope>());

        api.MapPost("/v1/chat/completions", (HttpContext context, ChatCompletionsEndpoint endpoint) => endpoint.CompleteAsync(context));
        api.MapGet("/v1/models", (ChatCompletionsEndpoint endpoint) => endpoint.ListModels());
        api.MapGet("/api/agents", (AgentRunner runner) => SessionEndpoints.ListAgents(runner));
        api.MapPost("/api/sessions", (HttpContext context, AgentRunner runner) => SessionEndpoints.CreateSessionAsync(context, runner));
        api.MapGet("/api/sessions", (HttpContext context, AgentRunner runner, string? agent, int? limit, int? offset) => SessionEndpoints.ListSessionsAsync(context, runner, agent, limit, offset));
        api.MapGet("/api/sessions/{id}", (HttpContext context, AgentRunner runner, ISessionStore store, IOptions<ToolPipelineOptions> tools, string id) => SessionEndpoints.GetSessionAsync(context, runner, store, tools, id));
        api.MapDelete("/api/sessions/{id}", (HttpContext context, AgentRunner runner, ISessionStore store, string id) => SessionEndpoints.DeleteSessionAsync(context, runner, store, id));
        api.MapPost("/api/sessions/{id}/messages", (HttpContext context, AgentRunner runner, ISessionStore store, string id) => SessionEndpoints.PostMessageAsync(context, runner, store, id));
        api.MapGet("/api/sessions/{id}/checkpoints", (HttpContext context, AgentRunner runner, ISessionStore store, string id) => RunEndpoints.ListCheckpointsAsync(context, runner, store, id));
        api.MapPost("/api/sessions/{id}/fork", (HttpContext context, AgentRunner runner, ISessionStore store, string id) => RunEndpoints.ForkAsync(context, runner, store, id));
        api.MapGet("/api/runs", (HttpContext context, AgentRunner runner, ISessionStore store) => RunEndpoints.ListUnfinishedAsync(context, runner, store));
        api.MapPost("/api/runs/{id}/resume", (HttpContext context, AgentRunner runner, ISessionStore store, ILogger<AgentRunner> logger, string id) => RunEndpoints.ResumeAsync(context, runner, store, logger, id));
        api.MapGet("/api/runs/{id}/events", (HttpContext context, AgentRunner runner, ISessionStore store, string id, long? after) => RunEndpoints.AttachAsync(context, runner, store, id, after));
        api.MapGet("/api/approvals", (HttpContext context, PendingApprovals approvals, ISessionStore store, string? session) => SessionEndpoints.ListApprovalsAsync(context, approvals, store, session));
        api.MapPost("/api/approvals/{id}/approve", (HttpContext context, PendingApprovals approvals, ISessionStore store, string id) => SessionEndpoints.DecideAsync(context, approvals, store, id, approve: true));
        api.MapPost("/api/approvals/{id}/deny", (HttpContext context, PendingApprovals approvals, ISessionStore store, string id) => SessionEndpoints.DecideAsync(context, approvals, store, id, approve: false));
        endpoints.MapHealthChecks("/health");
        return api;
    }

    private const string MiddlewareAdded = "AgentKit.Server.Middleware";

    /// <summary>Open (every caller anonymous) only when no API key and no other scheme is configured.</summary>
    private static AuthorizationPolicy AuthorizationPolicy(AgentKitServerOptions server)
    {
        var policy = new AuthorizationPolicyBuilder([AgentKitServerDefaults.ApiKeyScheme, .. server.AuthenticationSchemes]);
        return (server.ApiKeys.Count == 0 && server.AuthenticationSchemes.Count == 0 ? policy.RequireAssertion(_ => true) : policy.RequireAuthenticatedUser()).Build();
    }

    private static RequestTimeoutPolicy TimeoutPolicy(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        WriteTimeoutResponse = context =>
        {
            ServerTelemetry.Reject((context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText, "timeout");
            return ApiProblem.Create(StatusCodes.Status504GatewayTimeout, "request_timeout", $"The request did not finish within {timeout.TotalSeconds:0} seconds.").ExecuteAsync(context);
        },
    };
}
