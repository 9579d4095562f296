using System.Text.Json.Nodes;

namespace Infra.Agent.Storage.Volumes;

/// <summary>
/// Turns a volume backend into the blockdev-add calls that open it: a protocol node (file or nbd)
/// and, for files, a format node on top. Each volume has its own daemon, so node names are fixed;
/// the top node is what gets exported and snapshotted. Pure: tested as JSON rows.
/// </summary>
public static class BlockGraph
{
    public const string ProtocolNode = "proto0";
    public const string TopNode = "vol0";

    public static IReadOnlyList<JsonObject> Open(VolumeSpec spec) => spec.Backend switch
    {
        RawFileBackend r => [File(r.Path, spec.ReadOnly), Format("raw", spec.ReadOnly)],
        Qcow2Backend q => [File(q.Path, spec.ReadOnly), Format("qcow2", spec.ReadOnly)],
        Qcow2CloneBackend c => [File(c.Path, spec.ReadOnly), Format("qcow2", spec.ReadOnly)],
        NbdBackend n => [Nbd(n, spec.ReadOnly)],
        _ => throw new ArgumentException($"unknown volume backend {spec.Backend?.GetType().Name}"),
    };

    private static JsonObject File(string path, bool readOnly) => new()
    {
        ["driver"] = "file", ["node-name"] = ProtocolNode, ["filename"] = path, ["read-only"] = readOnly,
    };

    private static JsonObject Format(string driver, bool readOnly) => new()
    {
        ["driver"] = driver, ["node-name"] = TopNode, ["file"] = ProtocolNode, ["read-only"] = readOnly,
    };

    private static JsonObject Nbd(NbdBackend n, bool readOnly) => new()
    {
        ["driver"] = "nbd", ["node-name"] = TopNode, ["export"] = n.ExportName, ["read-only"] = readOnly,
        ["server"] = Address(n.Server),
    };

    /// <summary>A QMP SocketAddress for an NBD address.</summary>
    public static JsonObject Address(NbdAddress a) => a.UnixSocket is { } path
        ? new JsonObject { ["type"] = "unix", ["path"] = path }
        : new JsonObject { ["type"] = "inet", ["host"] = a.Host, ["port"] = a.Port.ToString() };
}
