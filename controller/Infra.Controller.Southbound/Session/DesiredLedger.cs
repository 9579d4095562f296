using Google.Protobuf;
using Infra.Controller.Southbound.Desired;
using Infra.Store;
using Infra.V1;

namespace Infra.Controller.Southbound.Session;

/// <summary>
/// The last desired state sent to each host, in the store (<see cref="StoreLayout.LastDesired"/>), so
/// that versions keep growing and ofports stay put across controller restarts and failovers, and a
/// reconnecting agent that holds exactly that version gets a delta instead of everything again.
/// It is written before the message is sent: a version number is never handed out twice.
/// </summary>
public sealed class DesiredLedger(IKeyValueStore store)
{
    public async Task<LastSent?> LoadAsync(string hostId, CancellationToken ct)
    {
        var kv = await store.GetAsync(StoreLayout.LastDesired(hostId), ct).ConfigureAwait(false);
        return kv is null ? null : LastSent.FromMessage(DesiredState.Parser.ParseFrom(kv.Value));
    }

    public Task SaveAsync(string hostId, LastSent sent, CancellationToken ct) =>
        store.PutAsync(new PutRequest(Keys.Of(StoreLayout.LastDesired(hostId)), sent.ToMessage().ToByteArray()), ct);
}
