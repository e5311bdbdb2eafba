namespace AgentKit.LlamaCpp.Models;

/// <summary>Where <see cref="ModelDownloader"/> downloads from and to, and its limits.</summary>
public sealed class ModelDownloaderOptions
{
    /// <summary>The environment variable naming the model cache folder.</summary>
    public const string CacheDirectoryVariable = "AGENTKIT_MODEL_CACHE";

    /// <summary>The environment variable holding a Hugging Face access token (sent as a bearer token).</summary>
    public const string TokenVariable = "HF_TOKEN";

    /// <summary>The environment variable naming a Hugging Face mirror to use instead of huggingface.co.</summary>
    public const string EndpointVariable = "HF_ENDPOINT";

    /// <summary>The Hugging Face site used when <c>HF_ENDPOINT</c> is not set.</summary>
    public static readonly Uri DefaultBaseAddress = new("https://huggingface.co");

    private Uri _baseAddress = ReadBaseAddress();
    private string _cacheDirectory = DefaultCacheDirectory();
    private long _maxFileSize = 64L * 1024 * 1024 * 1024;
    private TimeSpan _responseTimeout = TimeSpan.FromSeconds(30);
    private TimeSpan _readTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The site files are resolved against: <c>{BaseAddress}/{repo}/resolve/{revision}/{file}</c>. Default: <c>HF_ENDPOINT</c>, else <c>https://huggingface.co</c>.</summary>
    /// <exception cref="ArgumentException">Not an absolute http or https address.</exception>
    public Uri BaseAddress
    {
        get => _baseAddress;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (!value.IsAbsoluteUri || (value.Scheme != Uri.UriSchemeHttps && value.Scheme != Uri.UriSchemeHttp))
            {
                throw new ArgumentException($"'{value}' is not an absolute http or https address.", nameof(value));
            }

            _baseAddress = value;
        }
    }

    /// <summary>The cache folder. Default: <c>AGENTKIT_MODEL_CACHE</c>, else <c>~/.cache/agentkit/models</c>.</summary>
    public string CacheDirectory
    {
        get => _cacheDirectory;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _cacheDirectory = Path.GetFullPath(value);
        }
    }

    /// <summary>A Hugging Face access token for gated or private repositories. Default: <c>HF_TOKEN</c>. Sent only to <see cref="BaseAddress"/>'s host, never to the storage hosts it redirects to.</summary>
    public string? Token { get; set; } = NullIfEmpty(Environment.GetEnvironmentVariable(TokenVariable));

    /// <summary>The largest file accepted, in bytes; a larger announced size fails before anything is written. Default 64 GiB.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public long MaxFileSize
    {
        get => _maxFileSize;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            _maxFileSize = value;
        }
    }

    /// <summary>How long to wait for the server to connect and answer a request (headers). Default 30 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ResponseTimeout
    {
        get => _responseTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _responseTimeout = value;
        }
    }

    /// <summary>How long a download may go without receiving a byte before it is given up (the partial file is kept for resuming). Default 60 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not positive.</exception>
    public TimeSpan ReadTimeout
    {
        get => _readTimeout;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(value, TimeSpan.Zero);
            _readTimeout = value;
        }
    }

    /// <summary>The cache folder used when none is set: <c>AGENTKIT_MODEL_CACHE</c>, else <c>~/.cache/agentkit/models</c>.</summary>
    public static string DefaultCacheDirectory()
    {
        var configured = NullIfEmpty(Environment.GetEnvironmentVariable(CacheDirectoryVariable));
        if (configured is not null)
        {
            return Path.GetFullPath(configured);
        }

        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(home, ".cache", "agentkit", "models");
    }

    private static Uri ReadBaseAddress()
    {
        var configured = NullIfEmpty(Environment.GetEnvironmentVariable(EndpointVariable));
        return configured is not null && Uri.TryCreate(configured, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : DefaultBaseAddress;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
