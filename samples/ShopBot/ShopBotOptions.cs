namespace ShopBot;

/// <summary>The <c>ShopBot</c> configuration section.</summary>
public sealed class ShopBotOptions
{
    /// <summary>The section name.</summary>
    public const string SectionName = "ShopBot";

    /// <summary>Where the shop database, the policy knowledge base, sessions and the generated policy PDF live; relative to the content root. Default <c>data</c>.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The policy documents (Markdown) to ingest; relative to the application folder. Default <c>policies</c>.</summary>
    public string PoliciesDirectory { get; set; } = "policies";

    /// <summary>
    /// Where the policy index (<c>knowledge.db</c>) and the PDF handbook printed from the policies live; relative to
    /// the content root. Default: <see cref="DataDirectory"/>. Several shops may share one when they share the
    /// policies: at start each finds the index up to date and writes nothing (ShopBot's evaluation does this).
    /// </summary>
    public string? KnowledgeDirectory { get; set; }

    /// <summary>The shipping partner.</summary>
    public CarrierClientOptions Carrier { get; init; } = new();

    /// <summary>Outgoing e-mail.</summary>
    public SmtpOptions Smtp { get; init; } = new();

    /// <summary>The return rules enforced by the tools.</summary>
    public ReturnPolicyOptions Returns { get; init; } = new();

    /// <summary>Customer verification limits.</summary>
    public VerificationOptions Verification { get; init; } = new();

    /// <summary>The agent's model settings and limits.</summary>
    public AgentOptions Agent { get; init; } = new();

    /// <summary>Remembering customers across conversations.</summary>
    public ShopBot.Memory.CustomerMemoryOptions Memory { get; init; } = new();

    /// <summary>The web chat's sign-in.</summary>
    public WebChatOptions Web { get; init; } = new();
}

/// <summary>
/// The <c>ShopBot:Web</c> section: the web chat's sign-in. The chat's own request limits are AgentKit's server
/// options (<c>AgentKit:Server:MaxRequestsPerWindow</c>, <c>RequestWindow</c>, <c>MaxConcurrentRunsPerKey</c>), per
/// signed-in customer.
/// </summary>
public sealed class WebChatOptions
{
    /// <summary>Sign-ins one client address may make per <see cref="Window"/>; more get 429 with <c>Retry-After</c>. Default 10.</summary>
    public int SignInsPerWindow { get; set; } = 10;

    /// <summary>The sign-in limit's fixed window. Default 1 minute.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a browser stays signed in without using the chat (the cookie slides with use). Default 30 days.</summary>
    public TimeSpan SignInLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Checks the values.</summary>
    /// <exception cref="InvalidOperationException">A value is out of range; the message names the key.</exception>
    public void Validate()
    {
        if (SignInsPerWindow < 1)
        {
            throw new InvalidOperationException($"ShopBot:Web:SignInsPerWindow must be at least 1 (got {SignInsPerWindow}).");
        }

        if (Window <= TimeSpan.Zero || Window > TimeSpan.FromDays(1))
        {
            throw new InvalidOperationException($"ShopBot:Web:Window must be between 0 and 1 day (got {Window}).");
        }

        if (SignInLifetime < TimeSpan.FromMinutes(1) || SignInLifetime > TimeSpan.FromDays(400))
        {
            throw new InvalidOperationException($"ShopBot:Web:SignInLifetime must be between 1 minute and 400 days (got {SignInLifetime}).");
        }
    }
}

/// <summary>The <c>ShopBot:Agent</c> section.</summary>
public sealed class AgentOptions
{
    /// <summary>Tokens one model answer may have. Default 600.</summary>
    public int MaxOutputTokens { get; set; } = 600;

    /// <summary>Model calls one turn may make (a full return takes about 6). Default 12.</summary>
    public int MaxSteps { get; set; } = 12;

    /// <summary>Sampling temperature. Default 0.2.</summary>
    public float Temperature { get; set; } = 0.2f;

    /// <summary>How long one turn may take; a turn that runs longer stops, keeping what was streamed. Default 3 minutes.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// The model's context window in tokens. Unset: a local model's own (<c>AgentKit:Models:NAME:ContextSize</c>, 16,384
    /// for the downloaded default), 16,384 for an endpoint. The agent's history gets what the rest leaves (see <see cref="Agent.ContextPlan"/>).
    /// </summary>
    public int? ContextTokens { get; set; }

    /// <summary>Tokens kept free for one turn's tool calls and results besides a policy search (order details, verdicts, labels). Default 1,500.</summary>
    public int ToolExchangeTokens { get; set; } = 1_500;
}

/// <summary>The <c>ShopBot:Carrier</c> section: where the label API is and how hard to try.</summary>
public sealed class CarrierClientOptions
{
    /// <summary>Start the stand-in carrier (<c>samples/ShopBot.Carrier</c>) in-process and use it. Default true; set false and <see cref="BaseAddress"/> for a real partner.</summary>
    public bool RunLocal { get; set; } = true;

    /// <summary>The local carrier's address when <see cref="RunLocal"/>; port 0 picks a free one. Default <c>http://127.0.0.1:5090</c>.</summary>
    public string LocalUrl { get; set; } = "http://127.0.0.1:5090";

    /// <summary>The label API's base address when not <see cref="RunLocal"/>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>The API key sent in <c>X-Api-Key</c>; the local carrier is started with it.</summary>
    public string ApiKey { get; set; } = "local-carrier-key-0123456789";

    /// <summary>Retries after a failed label request (5xx, 429, timeout, connection failure). Default 3.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones back off exponentially with jitter. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>One attempt's time limit. Default 5 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long the circuit stays open (calls fail fast) after it breaks. Default 30 s.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed attempts (within 30 s) that break the circuit. Default 6.</summary>
    public int BreakAfterFailures { get; set; } = 6;

    /// <summary>The local carrier's latency. Default 150 ms.</summary>
    public TimeSpan LocalLatency { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>The local carrier's failure rate (0 to 1). Default 0.</summary>
    public double LocalFailureRate { get; set; }

    /// <summary>The returns warehouse: where labels send parcels.</summary>
    public WarehouseAddress Warehouse { get; init; } = new();
}

/// <summary>The returns warehouse address printed on labels.</summary>
public sealed class WarehouseAddress
{
    /// <summary>Name. Default <c>ShopBot Returns</c>.</summary>
    public string Name { get; set; } = "ShopBot Returns";

    /// <summary>Street. Default <c>Lagerstraße 7</c>.</summary>
    public string Street { get; set; } = "Lagerstraße 7";

    /// <summary>Postal code. Default <c>20457</c>.</summary>
    public string PostalCode { get; set; } = "20457";

    /// <summary>City. Default <c>Hamburg</c>.</summary>
    public string City { get; set; } = "Hamburg";

    /// <summary>Country. Default <c>DE</c>.</summary>
    public string Country { get; set; } = "DE";
}

/// <summary>The <c>ShopBot:Smtp</c> section.</summary>
public sealed class SmtpOptions
{
    /// <summary>Start the loopback SMTP sink and send there (local runs and tests). Default true; set false with <see cref="Host"/> for a real server.</summary>
    public bool UseLocalSink { get; set; } = true;

    /// <summary>The sink's port when <see cref="UseLocalSink"/>; 0 picks a free one. Default 2525.</summary>
    public int LocalSinkPort { get; set; } = 2525;

    /// <summary>The SMTP server when not <see cref="UseLocalSink"/>.</summary>
    public string? Host { get; set; }

    /// <summary>The server's port. Default 587.</summary>
    public int Port { get; set; } = 587;

    /// <summary>Use STARTTLS (or TLS on 465) with a real server. Default true.</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>The login, when the server needs one.</summary>
    public string? UserName { get; set; }

    /// <summary>The password. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender. Default <c>returns@shopbot.example</c>.</summary>
    public string From { get; set; } = "returns@shopbot.example";

    /// <summary>The sender's display name. Default <c>ShopBot Returns</c>.</summary>
    public string FromName { get; set; } = "ShopBot Returns";

    /// <summary>One delivery attempt's time limit. Default 10 s.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The <c>ShopBot:Returns</c> section: the rules <c>returns_check_return_eligibility</c> and <c>returns_create_return</c> enforce. Keep them in step with <c>policies/return-policy.md</c>.</summary>
public sealed class ReturnPolicyOptions
{
    /// <summary>Days from delivery within which items can be returned. Default 30.</summary>
    public int WindowDays { get; set; } = 30;

    /// <summary>Categories that cannot be returned (hygiene, gift cards). Default underwear, swimwear, gift-cards.</summary>
    public IReadOnlyList<string> NonReturnableCategories { get; set; } = ["underwear", "swimwear", "gift-cards"];
}

/// <summary>The <c>ShopBot:Verification</c> section.</summary>
public sealed class VerificationOptions
{
    /// <summary>Failed e-mail checks after which a session is locked out of verification. Default 3.</summary>
    public int MaxFailedAttemptsPerSession { get; set; } = 3;

    /// <summary>
    /// Failed e-mail checks for one order by one requester (the signed-in web client, across its sessions; a terminal
    /// session on its own) within <see cref="OrderLockoutWindow"/> after which that requester is locked out of the
    /// order. Others' failures never count, so nobody can lock a customer out of their own order. Default 5.
    /// </summary>
    public int MaxFailedAttemptsPerOrder { get; set; } = 5;

    /// <summary>The window of <see cref="MaxFailedAttemptsPerOrder"/>. Default 24 h.</summary>
    public TimeSpan OrderLockoutWindow { get; set; } = TimeSpan.FromHours(24);
}
