using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using ShopBot.Carrier;
using ShopBot.Email;

namespace ShopBot.Tests;

public sealed class ComponentTests
{
    private static readonly LabelRequest Request = new(
        "RMA-TEST", new LabelAddress("A", "B 1", "1000", "C", "DE"), new LabelAddress("W", "X 2", "2000", "Y", "DE"), 500);

    [Fact]
    public async Task Carrier_RefusesAWrongKey_AndReturnsTheSameLabelForTheSameIdempotencyKey()
    {
        await using var carrier = CarrierApp.Create(new CarrierOptions { ApiKey = "0123456789abcdef0123" });
        await carrier.StartAsync(TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = CarrierApp.GetAddress(carrier) };

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "labels") { Content = JsonContent.Create(Request) };
        wrong.Headers.Add("X-Api-Key", "not-the-key-at-all!!");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong, TestContext.Current.CancellationToken)).StatusCode);

        var labels = new List<LabelResponse>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "labels") { Content = JsonContent.Create(Request) };
            request.Headers.Add("X-Api-Key", "0123456789abcdef0123");
            request.Headers.Add("Idempotency-Key", "RMA-TEST");
            var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            labels.Add((await response.Content.ReadFromJsonAsync<LabelResponse>(TestContext.Current.CancellationToken))!);
        }

        Assert.Equal(labels[0], labels[1]);
        var pdf = await http.GetByteArrayAsync(labels[0].LabelUrl, TestContext.Current.CancellationToken);
        Assert.Contains(labels[0].TrackingNumber, HappyPathTests.ExtractPdfText(pdf), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("labels/lbl_nope.pdf", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
    }

    [Fact]
    public void CarrierOptions_Validate_NamesTheKey()
    {
        var error = Assert.Throws<CarrierConfigurationException>(() => new CarrierOptions { ApiKey = "0123456789abcdef", FailureRate = 2 }.Validate());
        Assert.Contains("Carrier:FailureRate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SmtpSink_SpeaksEnoughSmtp_AndUndoesDotStuffing()
    {
        await using var sink = SmtpSink.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, sink.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII);
        await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };

        async Task<string> ExpectAsync(string code)
        {
            string line;
            do
            {
                line = (await reader.ReadLineAsync(TestContext.Current.CancellationToken))!;
            }
            while (line.Length > 3 && line[3] == '-');
            Assert.StartsWith(code, line, StringComparison.Ordinal);
            return line;
        }

        await ExpectAsync("220");
        await writer.WriteLineAsync("MAIL FROM:<a@example.com>");
        await ExpectAsync("503");
        await writer.WriteLineAsync("EHLO test");
        await ExpectAsync("250");
        await writer.WriteLineAsync("MAIL FROM:<a@example.com>");
        await ExpectAsync("250");
        await writer.WriteLineAsync("RCPT TO:<b@example.com>");
        await ExpectAsync("250");
        await writer.WriteLineAsync("DATA");
        await ExpectAsync("354");
        await writer.WriteLineAsync("Subject: hi\r\n\r\n..leading dot\r\nbody\r\n.");
        await ExpectAsync("250");
        await writer.WriteLineAsync("QUIT");
        await ExpectAsync("221");

        var mail = Assert.Single(sink.Messages);
        Assert.Equal("a@example.com", mail.MailFrom);
        Assert.Equal(["b@example.com"], mail.Recipients);
        Assert.Equal("hi", mail.Message.Subject);
        Assert.StartsWith(".leading dot", mail.Message.TextBody, StringComparison.Ordinal);
    }
}
