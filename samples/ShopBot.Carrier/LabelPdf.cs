using System.Globalization;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace ShopBot.Carrier;

/// <summary>Draws a return label as a one-page A6 PDF.</summary>
public static class LabelPdf
{
    /// <summary>Renders the label.</summary>
    /// <param name="label">The issued label.</param>
    /// <returns>The PDF bytes.</returns>
    public static byte[] Render(IssuedLabel label)
    {
        ArgumentNullException.ThrowIfNull(label);
        var builder = new PdfDocumentBuilder();
        var page = builder.AddPage(PageSize.A6);
        var regular = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var top = page.PageSize.Top - 30;
        var left = 20;

        page.AddText("RETURN LABEL - PREPAID", 12, new PdfPoint(left, top), bold);
        page.AddText("Tracking: " + label.TrackingNumber, 10, new PdfPoint(left, top - 20), bold);
        page.AddText("Reference: " + label.Request.Reference, 9, new PdfPoint(left, top - 34), regular);
        page.AddText("Issued: " + label.IssuedAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture), 9, new PdfPoint(left, top - 46), regular);

        var y = DrawAddress(page, "FROM", label.Request.From, left, top - 72, regular, bold);
        DrawAddress(page, "TO", label.Request.To, left, y - 14, regular, bold);

        // A barcode-like strip derived from the tracking number, so each label looks different.
        var x = (double)left;
        foreach (var c in label.TrackingNumber)
        {
            var width = 1 + (c % 3);
            page.DrawRectangle(new PdfPoint(x, 30), width, 40, fill: true);
            x += width + 2;
        }

        page.AddText(label.LabelId, 7, new PdfPoint(left, 18), regular);
        return builder.Build();
    }

    private static double DrawAddress(PdfPageBuilder page, string heading, LabelAddress address, double left, double y, PdfDocumentBuilder.AddedFont regular, PdfDocumentBuilder.AddedFont bold)
    {
        page.AddText(heading, 9, new PdfPoint(left, y), bold);
        string[] lines = [address.Name, address.Street, $"{address.PostalCode} {address.City}", address.Country];
        foreach (var line in lines)
        {
            y -= 12;
            page.AddText(line, 10, new PdfPoint(left + 10, y), regular);
        }

        return y;
    }
}
