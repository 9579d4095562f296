using System.Collections.Concurrent;
using Infra.Systemd.Manager;
using Tmds.DBus.Protocol;

namespace Infra.DBus.Tests.Fixtures;

/// <summary>How the scripted Manager finishes the job a StartTransientUnit call queues.</summary>
public enum JobScript
{
    /// <summary>Reply with the job path, then emit JobRemoved "done" (what systemd does).</summary>
    DoneAfterReply,
    /// <summary>Emit JobRemoved before the reply: the signal overtakes the reply the client waits for.</summary>
    DoneBeforeReply,
    /// <summary>Reply, then JobRemoved "failed".</summary>
    Failed,
    /// <summary>Reply, never finish the job.</summary>
    NeverFinish,
    /// <summary>Never reply at all.</summary>
    NoReply,
}

/// <summary>One property as it arrived on the wire: its name, the variant's own signature, the value.</summary>
public sealed record WireProperty(string Name, string Signature, VariantValue Value);

/// <summary>A Manager call as it arrived: member, body signature, string arguments, properties.</summary>
public sealed record ManagerCall(string Member, string Signature, IReadOnlyList<string> Args, IReadOnlyList<WireProperty> Properties, bool? Runtime = null);

/// <summary>
/// A peer on the real dbus-daemon that owns org.freedesktop.systemd1 and answers a scripted subset of
/// the Manager API with a Tmds.DBus.Protocol connection of its own. It exists for the edges real
/// systemd cannot be made to show on demand (a signal overtaking its reply, a job that never ends, a
/// call never answered, the bus dying mid-wait); every happy path also runs against real systemd
/// booted as PID 1 (tests/Infra.Systemd.Tests). It records each call exactly as decoded from the wire.
/// </summary>
public sealed class ScriptedSystemd : IPathMethodHandler, IAsyncDisposable
{
    readonly DBusConnection _conn;
    int _jobs;
    public ConcurrentQueue<ManagerCall> Calls { get; } = new();
    /// <summary>Units GetUnit knows, with their properties (interface-less: name → value).</summary>
    public ConcurrentDictionary<string, Dictionary<string, VariantValue>> Units { get; } = new();
    public JobScript Jobs { get; set; } = JobScript.DoneAfterReply;
    public int Subscribes;

    ScriptedSystemd(DBusConnection conn) => _conn = conn;

    public static async Task<ScriptedSystemd> StartAsync(string address)
    {
        var conn = new DBusConnection(address);
        await conn.ConnectAsync();
        var peer = new ScriptedSystemd(conn);
        conn.AddMethodHandler(peer);
        await conn.RequestNameAsync(SystemdManager.Service);
        return peer;
    }

    public string Path => SystemdManager.ManagerPath;
    public bool HandlesChildPaths => true;

    public static string UnitPath(string unit) => SystemdManager.ManagerPath + "/unit/" + string.Concat(unit.Select(c => char.IsAsciiLetterOrDigit(c) ? c.ToString() : $"_{(int)c:x2}"));

    public ValueTask HandleMethodAsync(MethodContext ctx)
    {
        var m = ctx.Request;
        var (iface, member, sig) = (m.InterfaceAsString, m.MemberAsString ?? "", m.SignatureAsString);
        if (iface == SystemdManager.PropertiesInterface && member == "Get") return GetProperty(ctx);
        if (iface != SystemdManager.ManagerInterface) { ctx.ReplyUnknownMethodError(); return default; }
        var r = m.GetBodyReader();
        switch (member)
        {
            case "Subscribe":
                Interlocked.Increment(ref Subscribes);
                Record(member, sig, []);
                return Reply(ctx, ctx.CreateReplyWriter(null));
            case "StartTransientUnit":
            {
                var (name, mode) = (r.ReadString(), r.ReadString());
                Record(member, sig, [name, mode], ReadProperties(ref r));
                if (Units.ContainsKey(name)) { ctx.ReplyError(SystemdErrorNames.UnitExists, $"Unit {name} was already loaded or has a fragment file."); return default; }
                Units[name] = new() { ["ActiveState"] = "active", ["SubState"] = "running", ["MainPID"] = 4242u, ["ControlGroup"] = "/system.slice/" + name, ["StatusText"] = "" };
                return Job(ctx, name);
            }
            case "StopUnit" or "StartUnit":
            {
                var (name, mode) = (r.ReadString(), r.ReadString());
                Record(member, sig, [name, mode]);
                if (!Units.ContainsKey(name)) return NoSuchUnit(ctx, name);
                if (member == "StopUnit") Units.TryRemove(name, out _);
                return Job(ctx, name);
            }
            case "SetUnitProperties":
            {
                var (name, runtime) = (r.ReadString(), r.ReadBool());
                Calls.Enqueue(new ManagerCall(member, sig, [name], ReadProperties(ref r), runtime));
                return Units.ContainsKey(name) ? Reply(ctx, ctx.CreateReplyWriter(null)) : NoSuchUnit(ctx, name);
            }
            case "KillUnit":
            {
                var (name, who, signal) = (r.ReadString(), r.ReadString(), r.ReadInt32());
                Record(member, sig, [name, who, signal.ToString()]);
                return Units.ContainsKey(name) ? Reply(ctx, ctx.CreateReplyWriter(null)) : NoSuchUnit(ctx, name);
            }
            case "ResetFailedUnit":
                Record(member, sig, [r.ReadString()]);
                return Reply(ctx, ctx.CreateReplyWriter(null));
            case "GetUnit":
            {
                var name = r.ReadString();
                Record(member, sig, [name]);
                if (!Units.ContainsKey(name)) return NoSuchUnit(ctx, name);
                var w = ctx.CreateReplyWriter("o");
                w.WriteObjectPath(UnitPath(name));
                return Reply(ctx, w);
            }
            default:
                ctx.ReplyUnknownMethodError();
                return default;
        }
    }

    void Record(string member, string sig, string[] args, IReadOnlyList<WireProperty>? props = null) =>
        Calls.Enqueue(new ManagerCall(member, sig, args, props ?? []));

    static IReadOnlyList<WireProperty> ReadProperties(ref Reader r)
    {
        var list = new List<WireProperty>();
        var end = r.ReadArrayStart(DBusType.Struct);
        while (r.HasNext(end))
        {
            r.AlignStruct();
            var name = r.ReadString();
            var peek = r; // the variant's own signature, as sent
            var sig = peek.ReadSignatureAsString();
            list.Add(new WireProperty(name, sig, r.ReadVariantValue()));
        }
        return list;
    }

    ValueTask GetProperty(MethodContext ctx)
    {
        var r = ctx.Request.GetBodyReader();
        var (_, prop) = (r.ReadString(), r.ReadString());
        var path = ctx.Request.PathAsString;
        VariantValue value;
        if (path == SystemdManager.ManagerPath && prop == "Version") value = "252-scripted";
        else if (Units.FirstOrDefault(u => UnitPath(u.Key) == path).Value is { } props && props.TryGetValue(prop, out var v)) value = v;
        else
        {
            ctx.ReplyError(SystemdErrorNames.UnknownObject, $"no property {prop} at {path}");
            return default;
        }
        var w = ctx.CreateReplyWriter("v");
        w.WriteVariant(value);
        return Reply(ctx, w);
    }

    ValueTask Job(MethodContext ctx, string unit)
    {
        var job = $"{SystemdManager.ManagerPath}/job/{Interlocked.Increment(ref _jobs)}";
        var result = Jobs == JobScript.Failed ? "failed" : "done";
        switch (Jobs)
        {
            case JobScript.NoReply:
                ctx.DisposesAsynchronously = true; // never disposed: no reply ever goes out
                return default;
            case JobScript.DoneBeforeReply:
                EmitJobRemoved(job, unit, result);
                break;
        }
        var w = ctx.CreateReplyWriter("o");
        w.WriteObjectPath(job);
        ctx.Reply(w.CreateMessage());
        w.Dispose();
        if (Jobs is JobScript.DoneAfterReply or JobScript.Failed) EmitJobRemoved(job, unit, result);
        return default;
    }

    /// <summary>Emits Manager.JobRemoved(id, job, unit, result) from this connection (the name's owner).</summary>
    public void EmitJobRemoved(string job, string unit, string result) => EmitJobRemoved(_conn, job, unit, result);

    /// <summary>Emits a JobRemoved-shaped signal from any connection (an impostor, when not the owner).</summary>
    public static void EmitJobRemoved(DBusConnection from, string job, string unit, string result)
    {
        var w = from.GetMessageWriter();
        w.WriteSignalHeader(null, SystemdManager.ManagerPath, SystemdManager.ManagerInterface, "JobRemoved", "uoss");
        w.WriteUInt32(uint.Parse(job[(job.LastIndexOf('/') + 1)..]));
        w.WriteObjectPath(job);
        w.WriteString(unit);
        w.WriteString(result);
        from.TrySendMessage(w.CreateMessage());
        w.Dispose();
    }

    static ValueTask NoSuchUnit(MethodContext ctx, string unit)
    {
        ctx.ReplyError(SystemdErrorNames.NoSuchUnit, $"Unit {unit} not loaded.");
        return default;
    }

    static ValueTask Reply(MethodContext ctx, MessageWriter w)
    {
        ctx.Reply(w.CreateMessage());
        w.Dispose();
        return default;
    }

    public ValueTask DisposeAsync()
    {
        _conn.Dispose();
        return default;
    }
}
