namespace AgentKit.Server;

/// <summary>Names under which <c>AddAgentKitServer()</c> registers its ASP.NET Core parts.</summary>
public static class AgentKitServerDefaults
{
    /// <summary>The authentication scheme of <see cref="AgentKitServerOptions.ApiKeys"/>.</summary>
    public const string ApiKeyScheme = "AgentKitApiKey";

    /// <summary>The authorization, rate-limiting and request-timeout policy applied to every API endpoint.</summary>
    public const string Policy = "AgentKit";
}
