using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace ShopBot.Web;

/// <summary>
/// The web chat: the page (<c>wwwroot/</c>), the customer sign-in (<see cref="CustomerSignIn"/>) and AgentKit's HTTP
/// API (<c>MapAgentKit()</c>: <c>/api/sessions</c> with the run's events as server-sent events), which accepts the
/// sign-in as an authentication scheme.
/// </summary>
public static class WebChat
{
    /// <summary>Serves the page and maps the sign-in and AgentKit's API.</summary>
    /// <param name="app">The application.</param>
    /// <returns>The application.</returns>
    public static WebApplication MapWebChat(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var files = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapCustomerSignIn();
        app.MapAgentKit();
        return app;
    }
}
