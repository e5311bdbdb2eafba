using ShopBot.Carrier;

var configuration = new ConfigurationBuilder()
    .AddJsonFile("appsettings.json", optional: true)
    .AddEnvironmentVariables()
    .AddCommandLine(args)
    .Build();
var options = configuration.GetSection(CarrierOptions.SectionName).Get<CarrierOptions>() ?? new CarrierOptions();
try
{
    await using var app = CarrierApp.Create(options, configuration["Urls"] ?? "http://127.0.0.1:5090");
    await app.StartAsync();
    Console.WriteLine($"Carrier stand-in listening on {CarrierApp.GetAddress(app)} (failure rate {options.FailureRate:P0}, latency {options.Latency.TotalMilliseconds:0} ms). Ctrl+C stops it.");
    await app.WaitForShutdownAsync();
    return 0;
}
catch (CarrierConfigurationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
