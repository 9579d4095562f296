using Google.Protobuf;
using Infra.Store;

namespace Infra.Controller.Southbound.Tests.Support;

/// <summary>Bounded polling of the store for effects of asynchronous handlers (no timing asserts: only a give-up bound).</summary>
public static class Eventually
{
    public static async Task<T> StoreAsync<T>(IKeyValueStore store, ObjectKind<T> kind, string id, Func<T, bool> ok, string what)
        where T : class, IMessage<T>
    {
        T? last = default;
        for (var i = 0; i < 300; i++)
        {
            last = await ObjectStore.ReadAsync(store, kind, id, CancellationToken.None);
            if (last is not null && ok(last)) return last;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"{what} did not happen within 15 s; {kind.Key(id)} is {last}");
    }
}
