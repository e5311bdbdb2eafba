namespace ShopBot.Carrier;

/// <summary>The <c>Carrier</c> configuration section of the stand-in shipping partner.</summary>
public sealed class CarrierOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Carrier";

    /// <summary>The key clients must send in the <c>X-Api-Key</c> header. Required; at least 16 characters.</summary>
    public string ApiKey { get; set; } = string.Empty;

    /// <summary>Added to every label request before it is answered, to simulate a slow partner. Default 0.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The share of label requests answered with 503, from 0 to 1. Default 0.</summary>
    public double FailureRate { get; set; }

    /// <summary>Seeds the failure draw, so a failure rate between 0 and 1 gives the same sequence every run. Default: random.</summary>
    public int? Seed { get; set; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="CarrierConfigurationException">A value is missing or out of range; the message names the key.</exception>
    public void Validate()
    {
        if (ApiKey.Length < 16)
        {
            throw new CarrierConfigurationException($"{SectionName}:ApiKey: must be at least 16 characters (it is {ApiKey.Length}).");
        }

        if (FailureRate is < 0 or > 1 || double.IsNaN(FailureRate))
        {
            throw new CarrierConfigurationException($"{SectionName}:FailureRate: must be from 0 to 1 (it is {FailureRate}).");
        }

        if (Latency < TimeSpan.Zero)
        {
            throw new CarrierConfigurationException($"{SectionName}:Latency: must not be negative (it is {Latency}).");
        }
    }
}

/// <summary>The carrier's configuration is invalid.</summary>
public sealed class CarrierConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CarrierConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message naming the key.</summary>
    /// <param name="message">What is wrong and where.</param>
    public CarrierConfigurationException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What is wrong and where.</param>
    /// <param name="innerException">The cause.</param>
    public CarrierConfigurationException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
