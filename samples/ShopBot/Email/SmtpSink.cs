using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace ShopBot.Email;

/// <summary>A message the sink accepted.</summary>
/// <param name="MailFrom">The envelope sender (<c>MAIL FROM</c>).</param>
/// <param name="Recipients">The envelope recipients (<c>RCPT TO</c>).</param>
/// <param name="Message">The parsed message.</param>
/// <param name="ReceivedAt">When the sink accepted it.</param>
public sealed record ReceivedMail(string MailFrom, IReadOnlyList<string> Recipients, MimeMessage Message, DateTimeOffset ReceivedAt);

/// <summary>
/// A minimal SMTP server (RFC 5321 subset: EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot-unstuffing, RSET, NOOP,
/// QUIT) on the loopback interface that keeps every message it receives, parsed with MimeKit. For local runs and
/// tests only: no TLS, no authentication, no relaying, bounded message size.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    /// <summary>The largest message accepted (announced in EHLO as SIZE).</summary>
    public const int MaxMessageBytes = 10 * 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<ReceivedMail> _messages = new();
    private readonly ConcurrentDictionary<Task, bool> _sessions = new();
    private readonly TimeProvider _time;
    private readonly Task _acceptLoop;
    private volatile bool _rejectAll;

    private SmtpSink(TcpListener listener, TimeProvider time)
    {
        _listener = listener;
        _time = time;
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Raised after a message was accepted.</summary>
    public event EventHandler<ReceivedMail>? MessageReceived;

    /// <summary>The port it listens on (127.0.0.1).</summary>
    public int Port { get; }

    /// <summary>Every message accepted, oldest first.</summary>
    public IReadOnlyList<ReceivedMail> Messages => [.. _messages];

    /// <summary>When set, every transaction is refused with <c>451</c> (to simulate a failing mail server).</summary>
    public bool RejectAll
    {
        get => _rejectAll;
        set => _rejectAll = value;
    }

    /// <summary>Starts a sink on 127.0.0.1.</summary>
    /// <param name="port">The port; 0 picks a free one.</param>
    /// <param name="time">Stamps received messages; the system clock when null.</param>
    /// <returns>The running sink.</returns>
    /// <exception cref="SocketException">The port is taken.</exception>
    public static SmtpSink Start(int port = 0, TimeProvider? time = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new SmtpSink(listener, time ?? TimeProvider.System);
    }

    /// <summary>Waits until at least <paramref name="count"/> messages have arrived.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>True when they arrived in time.</returns>
    public async Task<bool> WaitForMessagesAsync(int count, TimeSpan timeout)
    {
        var deadline = _time.GetUtcNow() + timeout;
        while (_messages.Count < count)
        {
            if (_time.GetUtcNow() > deadline)
            {
                return false;
            }

            await Task.Delay(20).ConfigureAwait(false);
        }

        return true;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        try
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }

        await Task.WhenAll(_sessions.Keys).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var session = ServeAsync(client);
            _sessions.TryAdd(session, true);
            _ = session.ContinueWith(t => _sessions.TryRemove(t, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromMinutes(2));
                var stream = client.GetStream();
                var reader = new SmtpLineReader(stream);
                await using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
                await new SmtpSession(this, reader, writer).RunAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away or the sink is stopping; the transaction is simply not kept.
            }
        }
    }

    private void Accept(string from, List<string> recipients, byte[] data)
    {
        using var stream = new MemoryStream(data, writable: false);
        var mail = new ReceivedMail(from, [.. recipients], MimeMessage.Load(stream), _time.GetUtcNow());
        _messages.Enqueue(mail);
        MessageReceived?.Invoke(this, mail);
    }

    /// <summary>One SMTP conversation.</summary>
    private sealed class SmtpSession(SmtpSink sink, SmtpLineReader reader, StreamWriter writer)
    {
        private string? _from;
        private readonly List<string> _recipients = [];
        private bool _greeted;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            await writer.WriteLineAsync("220 shopbot-sink ESMTP ready").ConfigureAwait(false);
            while (await reader.ReadLineAsync(1000, cancellationToken).ConfigureAwait(false) is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                var argument = line.Length > 4 ? line[4..].Trim() : string.Empty;
                switch (verb)
                {
                    case "EHLO":
                        _greeted = true;
                        Reset();
                        await writer.WriteLineAsync("250-shopbot-sink greets " + argument).ConfigureAwait(false);
                        await writer.WriteLineAsync("250-8BITMIME").ConfigureAwait(false);
                        await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"250-SIZE {MaxMessageBytes}")).ConfigureAwait(false);
                        await writer.WriteLineAsync("250 SMTPUTF8").ConfigureAwait(false);
                        break;
                    case "HELO":
                        _greeted = true;
                        Reset();
                        await writer.WriteLineAsync("250 shopbot-sink").ConfigureAwait(false);
                        break;
                    case "MAIL":
                        await MailAsync(argument).ConfigureAwait(false);
                        break;
                    case "RCPT":
                        await RecipientAsync(argument).ConfigureAwait(false);
                        break;
                    case "DATA":
                        await DataAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case "RSET":
                        Reset();
                        await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
                        break;
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye").ConfigureAwait(false);
                        return;
                    default:
                        await writer.WriteLineAsync("502 Command not implemented").ConfigureAwait(false);
                        break;
                }
            }
        }

        private async Task MailAsync(string argument)
        {
            if (!_greeted)
            {
                await writer.WriteLineAsync("503 Send EHLO or HELO first").ConfigureAwait(false);
            }
            else if (sink.RejectAll)
            {
                await writer.WriteLineAsync("451 4.3.0 Mail server temporarily unavailable").ConfigureAwait(false);
            }
            else if (ParsePath(argument, "FROM:") is { } from)
            {
                Reset();
                _from = from;
                await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
            }
            else
            {
                await writer.WriteLineAsync("501 Syntax: MAIL FROM:<address>").ConfigureAwait(false);
            }
        }

        private async Task RecipientAsync(string argument)
        {
            if (_from is null)
            {
                await writer.WriteLineAsync("503 Send MAIL first").ConfigureAwait(false);
            }
            else if (ParsePath(argument, "TO:") is { Length: > 0 } to)
            {
                _recipients.Add(to);
                await writer.WriteLineAsync("250 OK").ConfigureAwait(false);
            }
            else
            {
                await writer.WriteLineAsync("501 Syntax: RCPT TO:<address>").ConfigureAwait(false);
            }
        }

        private async Task DataAsync(CancellationToken cancellationToken)
        {
            if (_from is null || _recipients.Count == 0)
            {
                await writer.WriteLineAsync("503 Send MAIL and RCPT first").ConfigureAwait(false);
                return;
            }

            await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>").ConfigureAwait(false);
            using var data = new MemoryStream();
            var tooLarge = false;
            while (await reader.ReadLineAsync(MaxMessageBytes, cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line == ".")
                {
                    if (tooLarge)
                    {
                        await writer.WriteLineAsync("552 Message exceeds the size limit").ConfigureAwait(false);
                    }
                    else
                    {
                        sink.Accept(_from, _recipients, data.ToArray());
                        await writer.WriteLineAsync("250 OK: queued").ConfigureAwait(false);
                    }

                    Reset();
                    return;
                }

                // RFC 5321 §4.5.2: a leading dot was doubled by the sender.
                var unstuffed = line.StartsWith("..", StringComparison.Ordinal) ? line[1..] : line;
                var bytes = Encoding.UTF8.GetBytes(unstuffed + "\r\n");
                if (data.Length + bytes.Length > MaxMessageBytes)
                {
                    tooLarge = true;
                    continue;
                }

                data.Write(bytes);
            }
        }

        private void Reset()
        {
            _from = null;
            _recipients.Clear();
        }

        private static string? ParsePath(string argument, string prefix)
        {
            if (!argument.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var rest = argument[prefix.Length..].Trim();
            var open = rest.IndexOf('<', StringComparison.Ordinal);
            var close = rest.IndexOf('>', StringComparison.Ordinal);
            return open == 0 && close > open ? rest[1..close] : null;
        }
    }
}

/// <summary>Reads CRLF-terminated lines from a stream as UTF-8, with a length cap per line.</summary>
internal sealed class SmtpLineReader(Stream stream)
{
    private readonly byte[] _buffer = new byte[8192];
    private int _start;
    private int _end;

    public async Task<string?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            for (var i = _start; i < _end; i++)
            {
                if (_buffer[i] == (byte)'\n')
                {
                    line.Write(_buffer, _start, i - _start);
                    _start = i + 1;
                    var bytes = line.ToArray();
                    var length = bytes.Length > 0 && bytes[^1] == (byte)'\r' ? bytes.Length - 1 : bytes.Length;
                    return Encoding.UTF8.GetString(bytes, 0, length);
                }
            }

            line.Write(_buffer, _start, _end - _start);
            if (line.Length > maxLength + 2)
            {
                throw new IOException("SMTP line too long.");
            }

            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (_end == 0)
            {
                return null;
            }
        }
    }
}
