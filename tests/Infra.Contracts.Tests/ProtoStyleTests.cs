using System.Text.RegularExpressions;

namespace Infra.Contracts.Tests;

/// <summary>
/// The contract is read by people who integrate with us in other languages, so every service, rpc,
/// message, enum, field and enum value carries a comment. This test keeps that convention true.
/// </summary>
public sealed partial class ProtoStyleTests
{
    [GeneratedRegex(@"^\s*(service|rpc|message|enum|oneof)\s+\w+")]
    private static partial Regex Declaration();

    [GeneratedRegex(@"^\s*(optional\s+|repeated\s+)?[\w.<>, ]+\s+\w+\s*=\s*\d+\s*;")]
    private static partial Regex Field();

    [GeneratedRegex(@"^\s*[A-Z][A-Z0-9_]*\s*=\s*\d+\s*;")]
    private static partial Regex EnumValue();

    public static TheoryData<string> ProtoFiles()
    {
        var data = new TheoryData<string>();
        // Our own contract; the standard grpc.* files are kept as close to upstream's shape as possible.
        foreach (var folder in new[] { "infra", "google" })
            foreach (var f in Directory.EnumerateFiles(Path.Combine(ProtoRoot(), folder), "*.proto", SearchOption.AllDirectories).Order())
                data.Add(Path.GetRelativePath(ProtoRoot(), f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ProtoFiles))]
    public void EveryDeclarationAndField_HasACommentAbove(string relativePath)
    {
        var lines = File.ReadAllLines(Path.Combine(ProtoRoot(), relativePath));
        var missing = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (!Declaration().IsMatch(line) && !Field().IsMatch(line) && !EnumValue().IsMatch(line)) continue;
            var previous = i > 0 ? lines[i - 1].Trim() : "";
            if (!previous.StartsWith("//", StringComparison.Ordinal))
                missing.Add($"{relativePath}:{i + 1}: {line.Trim()}");
        }
        Assert.True(missing.Count == 0, "add a comment above each of:\n" + string.Join('\n', missing));
    }

    [Fact]
    public void InfraPackage_DeclaresTheNorthboundAndSouthboundServices()
    {
        var services = Infra.V1.TenantsReflection.Descriptor.Services
            .Concat(Infra.V1.NetworksReflection.Descriptor.Services)
            .Concat(Infra.V1.PoliciesReflection.Descriptor.Services)
            .Concat(Infra.V1.PortsReflection.Descriptor.Services)
            .Concat(Infra.V1.InstancesReflection.Descriptor.Services)
            .Concat(Infra.V1.VolumesReflection.Descriptor.Services)
            .Concat(Infra.V1.ImagesReflection.Descriptor.Services)
            .Concat(Infra.V1.HostsReflection.Descriptor.Services)
            .Concat(Infra.V1.WatchReflection.Descriptor.Services)
            .Concat(Infra.V1.SouthboundReflection.Descriptor.Services)
            .Select(s => s.FullName).Order().ToArray();
        Assert.Equal(new[]
        {
            "infra.v1.AgentSession", "infra.v1.Changes", "infra.v1.CommandRelay", "infra.v1.Hosts", "infra.v1.Images", "infra.v1.Instances",
            "infra.v1.Networks", "infra.v1.Policies", "infra.v1.Ports", "infra.v1.Tenants",
            "infra.v1.Volumes",
        }, services);
        var connect = Infra.V1.SouthboundReflection.Descriptor.Services.Single(s => s.Name == "AgentSession").Methods.Single();
        Assert.True(connect.IsClientStreaming && connect.IsServerStreaming, "the agent session is one bidirectional stream");
    }

    private static string ProtoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Infra.sln"))) dir = dir.Parent;
        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Infra.sln not found above the test binaries"), "proto");
    }
}
