using Microsoft.AspNetCore.Http.Metadata;

namespace AgentKit.Server.Http;

/// <summary>The API's body-size limit as endpoint metadata, which ASP.NET Core's routing applies to the server's body-size feature.</summary>
internal sealed class RequestSizeLimit(long maxBytes) : IRequestSizeLimitMetadata
{
    public long? MaxRequestBodySize { get; } = maxBytes;
}
