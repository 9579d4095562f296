using Google.Protobuf;
using Infra.Ctl.Cli;
using Infra.V1;

namespace Infra.Ctl.Output;

public static partial class Render
{
    /// <summary>One line per event: "REVISION TYPE KIND ID NAME [STATE]"; bookmarks show only the revision.</summary>
    public static string WatchLine(WatchEvent e)
    {
        if (e.Type == EventType.Bookmark) return $"{e.Revision} BOOKMARK";
        var (meta, state) = e.ObjectCase switch
        {
            WatchEvent.ObjectOneofCase.Tenant => (e.Tenant.Meta, ""),
            WatchEvent.ObjectOneofCase.Network => (e.Network.Meta, ""),
            WatchEvent.ObjectOneofCase.Policy => (e.Policy.Meta, ""),
            WatchEvent.ObjectOneofCase.Port => (e.Port.Meta, Enums.Show(e.Port.Status)),
            WatchEvent.ObjectOneofCase.Instance => (e.Instance.Meta, Enums.Show(e.Instance.State)),
            WatchEvent.ObjectOneofCase.Volume => (e.Volume.Meta, Enums.Show(e.Volume.State)),
            WatchEvent.ObjectOneofCase.Snapshot => (e.Snapshot.Meta, Enums.Show(e.Snapshot.State)),
            WatchEvent.ObjectOneofCase.Image => (e.Image.Meta, Enums.Show(e.Image.State)),
            WatchEvent.ObjectOneofCase.Host => (e.Host.Meta, Enums.Show(e.Host.State)),
            _ => ((ObjectMeta?)null, ""),
        };
        var kind = e.ObjectCase == WatchEvent.ObjectOneofCase.None ? "-" : e.ObjectCase.ToString().ToLowerInvariant();
        var line = $"{e.Revision} {Enums.Show(e.Type)} {kind} {Dash(meta?.Id)} {Dash(meta?.Name)}";
        return state.Length > 0 ? line + " " + state : line;
    }

    static string Dash(string? s) => string.IsNullOrEmpty(s) ? "-" : s;
}
