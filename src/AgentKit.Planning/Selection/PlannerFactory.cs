using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AgentKit.Planning;

/// <summary>Creates the planners registered with <c>AddAgentKitPlanner&lt;T&gt;</c> (the built-ins included) by name or alias.</summary>
internal sealed class PlannerFactory : IPlannerFactory
{
    private readonly Dictionary<string, string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<PlanningOptions> _options;

    public PlannerFactory(IServiceProvider services, IEnumerable<PlannerRegistration> registrations, IOptionsMonitor<PlanningOptions> options)
    {
        _services = services;
        _options = options;
        foreach (var registration in registrations)
        {
            foreach (var name in registration.Aliases.Prepend(registration.Name))
            {
                if (_keys.TryGetValue(name, out var other) && other != registration.Name)
                {
                    throw new InvalidOperationException($"Two planners are registered under the name '{name}' ('{other}' and '{registration.Name}'); planner names and aliases must be unique.");
                }

                _keys[name] = registration.Name;
            }
        }
    }

    public IReadOnlyCollection<string> Names => _keys.Keys;

    public bool Contains(string? name) => name is not null && _keys.ContainsKey(name.Trim());

    public IPlanner CreateDefault() => Create(_options.CurrentValue.DefaultPlanner);

    public IPlanner Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _keys.TryGetValue(name.Trim(), out var key)
            ? _services.GetRequiredKeyedService<IPlanner>(key)
            : throw new PlannerNotFoundException($"No planner is named '{name}'. Registered planners: {string.Join(", ", _keys.Keys.Order(StringComparer.OrdinalIgnoreCase))}.") { Name = name };
    }
}
