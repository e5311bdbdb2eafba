using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ShopBot.Carrier;

/// <summary>
/// Builds the stand-in shipping partner: <c>POST /labels</c> (API key in <c>X-Api-Key</c>, optional
/// <c>Idempotency-Key</c>) answers <c>{label_id, tracking_number, label_url}</c>; <c>GET /labels/{id}.pdf</c>
/// returns the label. Runs as its own process (<c>dotnet run --project samples/ShopBot.Carrier</c>) or inside
/// another (ShopBot starts it in-process on its own port).
/// </summary>
public static class CarrierApp
{
    /// <summary>Creates the carrier application listening on <paramref name="url"/>.</summary>
    /// <param name="options">API key and behaviour; validated here.</param>
    /// <param name="url">Where to listen; port 0 picks a free port (read it from <see cref="GetAddress"/> after start).</param>
    /// <param name="configureLogging">Adjusts logging, e.g. to keep an embedding host's console quiet.</param>
    /// <returns>The application, not started.</returns>
    /// <exception cref="CarrierConfigurationException">The options are invalid.</exception>
    public static WebApplication Create(CarrierOptions options, string url = "http://127.0.0.1:0", Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(CarrierApp).Assembly.GetName().Name });
        builder.WebHost.UseUrls(url);
        configureLogging?.Invoke(builder.Logging);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(new LabelRegistry(options));
        builder.Services.AddSingleton(TimeProvider.System);
        var app = builder.Build();
        Map(app);
        return app;
    }

    /// <summary>The first address a started carrier listens on, ending without a slash.</summary>
    /// <param name="app">The started application.</param>
    /// <returns>The address.</returns>
    public static Uri GetAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        return new Uri(addresses?.FirstOrDefault() ?? throw new InvalidOperationException("The carrier has not started listening yet."));
    }

    private static void Map(WebApplication app)
    {
        app.MapPost("/labels", CreateLabelAsync);
        app.MapGet("/labels/{file}", GetLabelPdf);
        app.MapGet("/", () => Results.Text("ShopBot carrier stand-in: POST /labels, GET /labels/{id}.pdf\n"));
    }

    private static async Task<IResult> CreateLabelAsync(HttpContext http, CarrierOptions options, LabelRegistry registry, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var keyAccepted = KeyMatches(http.Request.Headers["X-Api-Key"].ToString(), options.ApiKey);
        var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 } k ? k : null;
        LabelRequest? body = null;
        IResult result;
        if (!keyAccepted)
        {
            result = Problem(StatusCodes.Status401Unauthorized, "invalid_api_key", "Send the API key in the X-Api-Key header.");
        }
        else
        {
            try
            {
                body = await JsonSerializer.DeserializeAsync<LabelRequest>(http.Request.Body, cancellationToken: http.RequestAborted);
            }
            catch (JsonException)
            {
                body = null;
            }

            if (body is null || string.IsNullOrWhiteSpace(body.Reference) || body.From is null || body.To is null || body.WeightGrams <= 0)
            {
                result = Problem(StatusCodes.Status400BadRequest, "invalid_request", "The body must be JSON with reference, from, to and a positive weight_grams.");
            }
            else
            {
                var latency = registry.Latency;
                if (latency > TimeSpan.Zero)
                {
                    await Task.Delay(latency, time, http.RequestAborted);
                }

                if (registry.DrawFailure())
                {
                    result = Problem(StatusCodes.Status503ServiceUnavailable, "unavailable", "The label service is temporarily unavailable.");
                }
                else
                {
                    var label = registry.Issue(body, idempotencyKey, now);
                    var url = new Uri($"{http.Request.Scheme}://{http.Request.Host}/labels/{label.LabelId}.pdf");
                    result = Results.Json(new LabelResponse(label.LabelId, label.TrackingNumber, url), statusCode: StatusCodes.Status201Created);
                }
            }
        }

        registry.Record(new RecordedCarrierRequest("POST", "/labels", StatusOf(result), keyAccepted, idempotencyKey, body, now));
        return result;
    }

    private static IResult GetLabelPdf(string file, LabelRegistry registry, TimeProvider time)
    {
        var id = file.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? file[..^4] : file;
        var label = registry.Find(id);
        IResult result = label is null
            ? Problem(StatusCodes.Status404NotFound, "not_found", $"No label '{id}'.")
            : Results.File(LabelPdf.Render(label), "application/pdf", $"{label.LabelId}.pdf");
        registry.Record(new RecordedCarrierRequest("GET", $"/labels/{file}", StatusOf(result), true, null, null, time.GetUtcNow()));
        return result;
    }

    private static bool KeyMatches(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static IResult Problem(int status, string code, string detail) =>
        Results.Json(new { type = "https://shopbot.example/problems/" + code, title = code, status, detail }, statusCode: status, contentType: "application/problem+json");

    private static int StatusOf(IResult result) => result is IStatusCodeHttpResult { StatusCode: { } status } ? status : StatusCodes.Status200OK;
}
