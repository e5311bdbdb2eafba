using AgentKit.Hosting.Admission;

namespace Microsoft.Extensions.AI;

/// <summary>Adds <see cref="ModelAdmissionChatClient"/> to a <see cref="ChatClientBuilder"/> pipeline.</summary>
public static class ModelAdmissionChatClientBuilderExtensions
{
    /// <summary>
    /// Bounds the requests the model serves at once and those waiting for it; beyond them a call fails with
    /// <see cref="ModelBusyException"/> (HTTP 429 in AgentKit's server). Share one <paramref name="admission"/>
    /// between every pipeline over the same model.
    /// </summary>
    /// <param name="builder">The pipeline.</param>
    /// <param name="admission">The admission control.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseModelAdmission(this ChatClientBuilder builder, ModelAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(admission);
        return builder.Use(inner => new ModelAdmissionChatClient(inner, admission));
    }
}
