using AgentKit.Abstractions.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentKit.Agents.Mcp;

/// <summary>
/// Offers the tools of a Model Context Protocol server (each an <see cref="McpClientTool"/>, which is an
/// <see cref="AIFunction"/>). Connects on first use and keeps the connection until disposed. The tool list is
/// cached until the server announces a change (<c>notifications/tools/list_changed</c>); the next lookup lists
/// the tools again, so tool selection embeds the new and changed descriptions.
/// </summary>
public sealed class McpToolSource : IToolSource, IAsyncDisposable
{
    private readonly IClientTransport _transport;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private McpClient? _client;
    private volatile IReadOnlyList<AIFunction>? _tools;
    private IAsyncDisposable? _listChanged;

    /// <summary>Creates a source over any MCP transport.</summary>
    /// <param name="transport">How to reach the server.</param>
    /// <param name="loggerFactory">Logs the MCP client.</param>
    public McpToolSource(IClientTransport transport, ILoggerFactory? loggerFactory = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _loggerFactory = loggerFactory;
    }

    /// <summary>Creates a source that starts a server process and talks to it over stdin/stdout.</summary>
    /// <param name="options">The command, arguments and environment of the server process.</param>
    /// <param name="loggerFactory">Logs the MCP client; the server's stderr lines are logged as warnings.</param>
    /// <returns>The source; the process starts on first use.</returns>
    public static McpToolSource ForStdioServer(StdioClientTransportOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new McpToolSource(new StdioClientTransport(options, loggerFactory), loggerFactory);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AIFunction>> GetToolsAsync(CancellationToken cancellationToken)
    {
        if (_tools is { } tools)
        {
            return tools;
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tools is null)
            {
                ObjectDisposedException.ThrowIf(_connectLock is null, this);
                if (_client is null)
                {
                    _client = await McpClient.CreateAsync(_transport, loggerFactory: _loggerFactory, cancellationToken: cancellationToken).ConfigureAwait(false);
                    _listChanged = _client.RegisterNotificationHandler(NotificationMethods.ToolListChangedNotification, (_, _) =>
                    {
                        _tools = null;
                        return ValueTask.CompletedTask;
                    });
                }

                var listed = await _client.ListToolsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _tools = [.. listed];
            }

            return _tools;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_listChanged is not null)
        {
            await _listChanged.DisposeAsync().ConfigureAwait(false);
        }

        if (_client is not null)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }
}
