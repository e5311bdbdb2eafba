using System.Text.Json.Serialization;

namespace ShopBot.Carrier;

/// <summary>A postal address on a label.</summary>
/// <param name="Name">The person or company.</param>
/// <param name="Street">Street and number.</param>
/// <param name="PostalCode">Postal code.</param>
/// <param name="City">City.</param>
/// <param name="Country">ISO 3166-1 alpha-2 country code.</param>
public sealed record LabelAddress(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("street")] string Street,
    [property: JsonPropertyName("postal_code")] string PostalCode,
    [property: JsonPropertyName("city")] string City,
    [property: JsonPropertyName("country")] string Country);

/// <summary>The body of <c>POST /labels</c>.</summary>
/// <param name="Reference">The sender's reference printed on the label (ShopBot sends the RMA number).</param>
/// <param name="From">Where the parcel is collected.</param>
/// <param name="To">Where it goes.</param>
/// <param name="WeightGrams">The parcel's weight.</param>
public sealed record LabelRequest(
    [property: JsonPropertyName("reference")] string Reference,
    [property: JsonPropertyName("from")] LabelAddress From,
    [property: JsonPropertyName("to")] LabelAddress To,
    [property: JsonPropertyName("weight_grams")] int WeightGrams);

/// <summary>The answer to <c>POST /labels</c>.</summary>
/// <param name="LabelId">The label's id.</param>
/// <param name="TrackingNumber">The parcel's tracking number.</param>
/// <param name="LabelUrl">Where the label PDF can be downloaded.</param>
public sealed record LabelResponse(
    [property: JsonPropertyName("label_id")] string LabelId,
    [property: JsonPropertyName("tracking_number")] string TrackingNumber,
    [property: JsonPropertyName("label_url")] Uri LabelUrl);

/// <summary>A request the carrier received, as the tests and the console see it.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path.</param>
/// <param name="StatusCode">What the carrier answered.</param>
/// <param name="ApiKeyAccepted">Whether the request carried the right API key.</param>
/// <param name="IdempotencyKey">The <c>Idempotency-Key</c> header, when sent.</param>
/// <param name="Label">The label request body, for label creations that parsed.</param>
/// <param name="ReceivedAt">When it arrived.</param>
public sealed record RecordedCarrierRequest(
    string Method, string Path, int StatusCode, bool ApiKeyAccepted, string? IdempotencyKey, LabelRequest? Label, DateTimeOffset ReceivedAt);
