using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ShopBot.Web;

/// <summary>
/// Sign-in tokens of the web chat. <c>POST /api/signin</c> issues one per browser: a random id and its HMAC under
/// a key kept in the data folder (<c>web-signin.key</c>, created on first start), so tokens survive a restart and
/// cannot be made up. The client id derived from a token (<c>web:</c> + the random id) owns the sessions started
/// with it; other clients get 404 for them. Every API call sends <c>Authorization: Bearer &lt;token&gt;</c>.
/// </summary>
public sealed class WebSignIn
{
    private const int IdBytes = 18;
    private readonly byte[] _key;

    /// <summary>Loads the signing key from <paramref name="keyPath"/>, creating it when missing.</summary>
    /// <param name="keyPath">The key file.</param>
    public WebSignIn(string keyPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyPath);
        if (!File.Exists(keyPath))
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(keyPath, options);
            stream.Write(RandomNumberGenerator.GetBytes(32));
        }

        _key = File.ReadAllBytes(keyPath);
        if (_key.Length < 32)
        {
            throw new InvalidOperationException($"{keyPath}: the web sign-in key is {_key.Length} bytes; it must be at least 32. Delete the file to have a new one made (signed-in browsers then sign in again).");
        }
    }

    /// <summary>Issues a new token.</summary>
    /// <returns>The token.</returns>
    public string Issue()
    {
        var id = RandomNumberGenerator.GetBytes(IdBytes);
        return WebEncoders.Base64UrlEncode(id) + "." + WebEncoders.Base64UrlEncode(Sign(id));
    }

    /// <summary>The client id of a token this server issued.</summary>
    /// <param name="token">The token.</param>
    /// <param name="clientId">The client id, when valid.</param>
    /// <returns>Whether the token is valid.</returns>
    public bool TryValidate(string? token, out string clientId)
    {
        clientId = string.Empty;
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (token is null || dot <= 0 || token.Length > 200)
        {
            return false;
        }

        byte[] id, mac;
        try
        {
            id = WebEncoders.Base64UrlDecode(token[..dot]);
            mac = WebEncoders.Base64UrlDecode(token[(dot + 1)..]);
        }
        catch (FormatException)
        {
            return false;
        }

        if (id.Length != IdBytes || !CryptographicOperations.FixedTimeEquals(mac, Sign(id)))
        {
            return false;
        }

        clientId = "web:" + token[..dot];
        return true;
    }

    /// <summary>The client id of the request's bearer token, or <see langword="null"/> when it has no valid one.</summary>
    /// <param name="context">The request.</param>
    /// <returns>The client id.</returns>
    public string? ClientOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authorization = context.Request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        return authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && TryValidate(authorization[Bearer.Length..].Trim(), out var client) ? client : null;
    }

    private byte[] Sign(byte[] id) => HMACSHA256.HashData(_key, (byte[])[.. Encoding.ASCII.GetBytes("shopbot-web-v1:"), .. id]);
}
