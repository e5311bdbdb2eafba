namespace AgentKit.Bench.Cost;

/// <summary>One benchmark request and the answer key it must get.</summary>
/// <param name="Text">The request.</param>
/// <param name="Key">Family and entity: two requests with one key share the right answer.</param>
/// <param name="Kind">base, paraphrase or near-miss.</param>
internal sealed record CacheRequest(string Text, string Key, string Kind);

/// <summary>
/// The cache benchmark's requests, written by hand as families: four phrasings of one question with an entity slot
/// (the first is the base) and six entities; each of the first three entities gets the base, three paraphrases and a
/// near-miss (the base wording with another entity of the family, which has a different answer).
/// </summary>
internal static class CacheRequests
{
    private static readonly (string Name, string[] Phrasings, string[] Entities)[] Families =
    [
        ("order-status", ["What is the status of order {0}?", "Can you tell me the status of order {0}?", "What's the current status of my order {0}?", "Could you check the status of order {0} for me?"],
            ["SB-10421", "SB-20931", "SB-33107", "SB-10422", "SB-20932", "SB-33170"]),
        ("refund", ["How much will I be refunded for order {0}?", "What refund will I get for order {0}?", "How much money do I get back for order {0}?", "Tell me the refund amount for order {0}."],
            ["SB-50012", "SB-61234", "SB-70001", "SB-50021", "SB-61243", "SB-70010"]),
        ("weather", ["What's the weather like in {0} today?", "How is the weather in {0} today?", "What is today's weather in {0}?", "Tell me today's weather forecast for {0}."],
            ["Paris", "Oslo", "Madrid", "Lyon", "Bergen", "Seville"]),
        ("capital", ["What is the capital of {0}?", "Which city is the capital of {0}?", "Can you tell me the capital city of {0}?", "Name the capital of {0}."],
            ["France", "Norway", "Japan", "Belgium", "Sweden", "Korea"]),
        ("miles", ["How many kilometres are {0} miles?", "Convert {0} miles to kilometres.", "What is {0} miles in kilometres?", "How far in kilometres is {0} miles?"],
            ["5", "12", "26", "6", "21", "62"]),
        ("return-days", ["Can I return an item after {0} days?", "Is it possible to return something after {0} days?", "Am I allowed to return a product after {0} days?", "Can a purchase be returned after {0} days?"],
            ["14", "30", "45", "15", "31", "60"]),
        ("shipping", ["How long does shipping to {0} take?", "What is the delivery time to {0}?", "How many days does delivery to {0} take?", "How long will shipping to {0} take?"],
            ["Canada", "Germany", "Brazil", "Mexico", "Austria", "Chile"]),
        ("born", ["When was {0} born?", "What is the birth date of {0}?", "In which year was {0} born?", "Tell me when {0} was born."],
            ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Ada Palmer", "Alan Kay", "Grace Kelly"]),
        ("weekday", ["What day of the week is {0}?", "Which weekday is {0}?", "What weekday falls on {0}?", "On what day of the week is {0}?"],
            ["2026-12-05", "2027-01-01", "2027-03-14", "2026-12-06", "2027-01-02", "2027-03-15"]),
        ("price", ["What is the price of product {0}?", "How much does product {0} cost?", "What does item {0} cost?", "Tell me the price of product {0}."],
            ["SKU-4411", "SKU-7802", "SKU-9930", "SKU-4412", "SKU-7820", "SKU-9903"]),
        ("flight", ["When does flight {0} depart?", "What time does flight {0} leave?", "What is the departure time of flight {0}?", "When is flight {0} scheduled to take off?"],
            ["LH2041", "BA117", "AF1680", "LH2014", "BA171", "AF1608"]),
        ("tracking", ["Where is my parcel with tracking number {0}?", "Can you track the parcel {0}?", "Where is the package with tracking number {0} now?", "Track my parcel {0}, please."],
            ["1Z999AA10123456784", "JD014600003828", "RR123456785GB", "1Z999AA10123456785", "JD014600003829", "RR123456786GB"]),
        ("square", ["What is {0} squared?", "What do you get when you square {0}?", "Calculate the square of {0}.", "What is the square of {0}?"],
            ["12", "17", "23", "13", "71", "32"]),
        ("population", ["What is the population of {0}?", "How many people live in {0}?", "How many inhabitants does {0} have?", "What's the population of {0}?"],
            ["Tokyo", "Cairo", "Lima", "Kyoto", "Giza", "Quito"]),
        ("store-hours", ["What are the opening hours of your {0} store?", "When is your {0} store open?", "What time does the {0} store open?", "What are the {0} shop's opening times?"],
            ["Leeds", "Boston", "Dublin", "York", "Austin", "Cork"]),
        ("invoice", ["Can I get a copy of invoice {0}?", "Please send me invoice {0} again.", "I need a copy of invoice {0}.", "Could you resend invoice {0}?"],
            ["INV-2026-0042", "INV-2026-0117", "INV-2025-0999", "INV-2026-0043", "INV-2026-0171", "INV-2025-0998"]),
        ("world-cup", ["Who won the World Cup in {0}?", "Which country won the {0} World Cup?", "Who was the World Cup winner in {0}?", "Which team won the football World Cup in {0}?"],
            ["1998", "2010", "2022", "1994", "2014", "2018"]),
        ("author", ["Who wrote {0}?", "Who is the author of {0}?", "Which writer wrote {0}?", "Who was {0} written by?"],
            ["War and Peace", "Moby Dick", "Hamlet", "War and Remembrance", "Moby Grape", "Macbeth"]),
        ("timezone", ["Which time zone is {0} in?", "What time zone does {0} use?", "In which time zone is {0}?", "What is the time zone of {0}?"],
            ["Chicago", "Denver", "Sydney", "Detroit", "Phoenix", "Perth"]),
        ("discount", ["Is discount code {0} still valid?", "Can I still use the discount code {0}?", "Does the discount code {0} still work?", "Is the promo code {0} valid?"],
            ["SAVE10", "WINTER25", "FREESHIP3", "SAVE20", "WINTER52", "FREESHIP5"]),
        ("train-seats", ["How many seats are left on train {0}?", "Are there seats available on train {0}?", "How many free seats does train {0} have?", "Is train {0} fully booked?"],
            ["ICE 571", "TGV 6201", "IC 2310", "ICE 517", "TGV 6210", "IC 2301"]),
        ("boiling", ["At what temperature does water boil at {0} metres?", "What is the boiling point of water at {0} metres altitude?", "At {0} metres, when does water boil?", "What temperature does water boil at {0} metres of altitude?"],
            ["1000", "2500", "4000", "1500", "3000", "5000"]),
        ("warranty", ["How long is the warranty on the {0}?", "What warranty does the {0} come with?", "How many years of warranty does the {0} have?", "What is the warranty period for the {0}?"],
            ["Dyson V15", "Bosch S8", "Miele C3", "Dyson V11", "Bosch S6", "Miele C2"]),
        ("interest", ["What is the interest on {0} dollars at 5 percent for one year?", "How much interest do {0} dollars earn in a year at 5 percent?", "Calculate one year of 5 percent interest on {0} dollars.", "At 5 percent a year, what interest does {0} dollars earn?"],
            ["1,000", "2,500", "10,000", "1,500", "5,000", "12,000"]),
    ];

    /// <summary>The requests in the order they are sent.</summary>
    public static IReadOnlyList<CacheRequest> All()
    {
        var requests = new List<CacheRequest>();
        foreach (var (name, phrasings, entities) in Families)
        {
            for (var i = 0; i < 3; i++)
            {
                var key = $"{name}|{entities[i]}";
                requests.Add(new CacheRequest(string.Format(System.Globalization.CultureInfo.InvariantCulture, phrasings[0], entities[i]), key, "base"));
                for (var p = 1; p < phrasings.Length; p++)
                {
                    requests.Add(new CacheRequest(string.Format(System.Globalization.CultureInfo.InvariantCulture, phrasings[p], entities[i]), key, "paraphrase"));
                }

                requests.Add(new CacheRequest(string.Format(System.Globalization.CultureInfo.InvariantCulture, phrasings[0], entities[i + 3]), $"{name}|{entities[i + 3]}", "near-miss"));
            }
        }

        return requests;
    }
}
