using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Infra.Controller.Config;

/// <summary>The YAML file as written: every field optional; unknown keys are errors (a typo must not be silently ignored).</summary>
public sealed class ConfigFile
{
    public string? Listen { get; set; }
    public string? Store { get; set; }
    public string? NodeId { get; set; }
    public string? ReadyFile { get; set; }
    public string? TokenFile { get; set; }
    public List<string>? Tokens { get; set; }
    public bool? InsecureAllowNoAuth { get; set; }
    public TlsSection? Tls { get; set; }
    public EtcdSection? Etcd { get; set; }
    public string? ImageDirectory { get; set; }
    public PlacementSection? Placement { get; set; }
    public double? WatchBookmarkSeconds { get; set; }
    public string? AdvertiseUrl { get; set; }
    public double? SnapshotTimeoutSeconds { get; set; }
    public int? AuditRetentionDays { get; set; }

    public sealed class TlsSection
    {
        public string? CertFile { get; set; }
        public string? KeyFile { get; set; }
    }

    /// <summary>How the controller reaches an etcd store (store: etcd:https://...); files in PEM.</summary>
    public sealed class EtcdSection
    {
        public string? CaFile { get; set; }
        public string? CertFile { get; set; }
        public string? KeyFile { get; set; }
        public string? Username { get; set; }
        public string? PasswordFile { get; set; }
    }

    public sealed class PlacementSection
    {
        public double? CpuOvercommit { get; set; }
        public double? MemoryOvercommit { get; set; }
        public long? MemoryReserveMib { get; set; }
        public string? Strategy { get; set; }
    }

    public static ConfigFile Parse(string yaml, string source, List<string> errors)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        try
        {
            return deserializer.Deserialize<ConfigFile?>(yaml) ?? new ConfigFile();
        }
        catch (YamlException e)
        {
            errors.Add($"{source}:{e.Start.Line}:{e.Start.Column}: {(e.InnerException ?? e).Message}");
            return new ConfigFile();
        }
    }
}
