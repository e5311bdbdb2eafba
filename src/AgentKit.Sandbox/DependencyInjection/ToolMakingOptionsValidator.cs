using AgentKit.Sandbox.Making;
using Microsoft.Extensions.Options;

namespace AgentKit.Sandbox;

/// <summary>Checks <see cref="ToolMakingOptions"/> at start, naming the configuration key that is wrong.</summary>
internal sealed class ToolMakingOptionsValidator : IValidateOptions<ToolMakingOptions>
{
    public ValidateOptionsResult Validate(string? name, ToolMakingOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{ToolMakingOptions.SectionName}:{e.ParamName}: {e.Message.Split('\n')[0].Split(" (Parameter")[0]}");
        }
    }
}
