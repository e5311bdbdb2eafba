// The configured runtime: everything the agent uses comes from appsettings.json (see docs/hosting.md).
// The content root is the application's folder, so the relative paths in appsettings.json (the MCP server, the
// knowledge folder, the prompts, the data folder) resolve beside the application wherever it is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAgentKit();
builder.AddAgentKitServer();

var app = builder.Build();
app.MapAgentKit();
app.Run();
