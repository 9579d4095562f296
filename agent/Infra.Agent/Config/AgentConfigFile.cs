using YamlDotNet.Serialization;

namespace Infra.Agent.Config;

// The YAML shape: mutable, nullable, snake_case. Everything here is untrusted until
// AgentConfigLoader has validated it into an AgentConfig.
#pragma warning disable CS1591
public sealed class AgentConfigFile
{
    public ControllerFile? Controller { get; set; }
    public string? HostId { get; set; }
    public string? StateDir { get; set; }
    public string? TunnelIp { get; set; }
    public NetworkFile? Network { get; set; }
    public ComputeFile? Compute { get; set; }
    public List<PoolFile>? StoragePools { get; set; }
    public string? ImageDir { get; set; }
    public double? ReconcileIntervalSeconds { get; set; }
    public double? StatusIntervalSeconds { get; set; }
    public double? ApplyStallSeconds { get; set; }
    public string? LogLevel { get; set; }
}

public sealed class ControllerFile
{
    public string? Url { get; set; }
    public List<string>? Urls { get; set; }
    public string? TokenFile { get; set; }
    public string? CaFile { get; set; }
    public string? JoinTokenFile { get; set; }
    public string? CertDir { get; set; }
}

public sealed class NetworkFile
{
    public bool? Enabled { get; set; }
    public string? Ovsdb { get; set; }
    public string? OvsRunDir { get; set; }
    public string? Bridge { get; set; }
    public string? DatapathType { get; set; }
    public string? DatapathId { get; set; }
    public bool? Dhcp { get; set; }
    public int? DhcpLeaseSeconds { get; set; }
    public int? RouterAdvertisementIntervalSeconds { get; set; }
}

public sealed class ComputeFile
{
    public string? Runner { get; set; }
    public bool? AllowTcg { get; set; }
    public bool? ForceTcg { get; set; }
    public string? QemuBinary { get; set; }
    public int? MhzPerCore { get; set; }
    public bool? NestCgroups { get; set; }
    public string? CgroupParent { get; set; }
    public int? ConsoleLogKib { get; set; }
    public string? QemuUser { get; set; }
}

public sealed class PoolFile
{
    public string? Name { get; set; }
    public string? Path { get; set; }
}
#pragma warning restore CS1591

/// <summary>Parses the YAML text (unknown keys are errors: a typo must not silently fall back to a default).</summary>
public static class AgentConfigYaml
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance)
        .Build();

    /// <summary>The file's contents, or the parse error (with line and column).</summary>
    public static (AgentConfigFile? File, string? Error) Parse(string yaml)
    {
        try { return (Deserializer.Deserialize<AgentConfigFile>(yaml) ?? new AgentConfigFile(), null); }
        catch (YamlDotNet.Core.YamlException e) { return (null, $"line {e.Start.Line}, column {e.Start.Column}: {(e.InnerException ?? e).Message}"); }
    }
}
